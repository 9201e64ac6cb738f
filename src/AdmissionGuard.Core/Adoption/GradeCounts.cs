using AdmissionGuard.Scans;

namespace AdmissionGuard.Adoption;

/// <summary>Containers by the grade of the image they run; <see cref="None"/> counts those without a usable scan.</summary>
public sealed record GradeCounts(int A, int B, int C, int D, int E, int F, int None)
{
    /// <summary>The labels in report order: <c>A</c> to <c>F</c>, then <c>none</c>.</summary>
    public static readonly string[] Labels = ["A", "B", "C", "D", "E", "F", "none"];

    public int this[int index] => index switch
    {
        0 => A,
        1 => B,
        2 => C,
        3 => D,
        4 => E,
        5 => F,
        _ => None,
    };

    internal static GradeCounts From(int[] counts) => new(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);

    internal static int IndexOf(Grade? grade) => grade is { } g ? (int)g : 6;
}
