namespace AdmissionGuard.Scans;

/// <summary>
/// How a scan's counts become a grade; the first line that applies wins (F, E, D, C, B, else A).
/// Declared once cluster-wide; <see cref="Default"/> is the scale documented in the API.
/// </summary>
public sealed record GradeScale
{
    /// <summary>The documented default scale.</summary>
    public static GradeScale Default { get; } = new();

    /// <summary>F when the OS is end of service life (<c>os.eosl</c>).</summary>
    public bool EoslIsF { get; init; } = true;

    /// <summary>E when at least this many criticals have a fix; <see cref="int.MaxValue"/> switches the line off.</summary>
    public int FixableCriticalForE { get; init; } = 1;

    /// <summary>D when at least this many criticals; <see cref="int.MaxValue"/> switches the line off.</summary>
    public int CriticalForD { get; init; } = 1;

    /// <summary>C when MORE than this many highs (the API's "more than 5 high").</summary>
    public int HighForC { get; init; } = 5;

    /// <summary>C when at least this many highs have a fix; <see cref="int.MaxValue"/> switches the line off.</summary>
    public int FixableHighForC { get; init; } = 1;

    /// <summary>B when at least this many highs; <see cref="int.MaxValue"/> switches the line off.</summary>
    public int HighForB { get; init; } = 1;

    /// <summary>
    /// The grade of <paramref name="spec"/>: its provided <c>grade</c> when set, else computed from the counts.
    /// Throws <see cref="ArgumentException"/> for an invalid provided grade; validators check with
    /// <see cref="TryParseGrade"/> first so that such an object is reported, never silently re-graded.
    /// </summary>
    public Grade Compute(ImageScanSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Grade is not null)
        {
            return TryParseGrade(spec.Grade, out var provided)
                ? provided
                : throw new ArgumentException($"spec.grade: must be one of A, B, C, D, E, F, not \"{spec.Grade}\"", nameof(spec));
        }

        return ComputeFromCounts(spec);
    }

    /// <summary>The grade the counts earn, ignoring any provided grade.</summary>
    public Grade ComputeFromCounts(ImageScanSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var counts = spec.Vulnerabilities;
        var fixable = spec.Fixable;
        return Compute(
            spec.Os?.Eosl == true,
            counts?.Critical ?? 0,
            counts?.High ?? 0,
            fixable?.Critical ?? 0,
            fixable?.High ?? 0);
    }

    /// <summary>The grade for raw counts.</summary>
    public Grade Compute(bool eosl, int critical, int high, int fixableCritical, int fixableHigh)
    {
        if (EoslIsF && eosl)
        {
            return Grade.F;
        }

        if (fixableCritical >= FixableCriticalForE)
        {
            return Grade.E;
        }

        if (critical >= CriticalForD)
        {
            return Grade.D;
        }

        if (high > HighForC || fixableHigh >= FixableHighForC)
        {
            return Grade.C;
        }

        return high >= HighForB ? Grade.B : Grade.A;
    }

    /// <summary>Parses a grade letter, A to F, case-insensitive, surrounding blanks ignored.</summary>
    public static bool TryParseGrade(string? text, out Grade grade)
    {
        var span = text.AsSpan().Trim();
        if (span.Length == 1)
        {
            var letter = char.ToUpperInvariant(span[0]);
            if (letter is >= 'A' and <= 'F')
            {
                grade = (Grade)(letter - 'A');
                return true;
            }
        }

        grade = default;
        return false;
    }
}
