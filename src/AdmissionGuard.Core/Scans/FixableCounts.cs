namespace AdmissionGuard.Scans;

public sealed class FixableCounts
{
    public int Critical { get; set; }
    public int High { get; set; }
}
