using AdmissionGuard.Scans;

namespace AdmissionGuard.Audit;

/// <summary>
/// The adoption figures of one namespace from one audit pass: running containers by hardened or not and by
/// grade, and the vulnerabilities their images' scans carry (each distinct image once), in total and beyond
/// what their hardened twins' scans carry. Kept small and separate so that another aggregator can replace it.
/// </summary>
internal sealed class AdoptionTally
{
    private readonly HashSet<string> images = new(StringComparer.Ordinal);

    public int Hardened { get; private set; }

    public int NotHardened { get; private set; }

    /// <summary>Containers by grade A..F; index 6 counts containers whose image has no usable scan.</summary>
    public int[] Grades { get; } = new int[7];

    public int Critical { get; private set; }

    public int High { get; private set; }

    public int AvoidableCritical { get; private set; }

    public int AvoidableHigh { get; private set; }

    public static string GradeLabel(int index) => index < 6 ? ((Grade)index).ToString() : "none";

    public void Add(string imageKey, bool hardened, Grade? grade, ScanRecord? scan, ScanRecord? twinScan)
    {
        if (hardened)
        {
            Hardened++;
        }
        else
        {
            NotHardened++;
        }

        Grades[grade is { } g ? (int)g : 6]++;
        if (scan is null || !images.Add(imageKey))
        {
            return;
        }

        Critical += scan.Critical;
        High += scan.High;
        if (!hardened && twinScan is not null)
        {
            AvoidableCritical += Math.Max(0, scan.Critical - twinScan.Critical);
            AvoidableHigh += Math.Max(0, scan.High - twinScan.High);
        }
    }
}
