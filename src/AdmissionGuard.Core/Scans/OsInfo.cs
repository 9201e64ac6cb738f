namespace AdmissionGuard.Scans;

public sealed class OsInfo
{
    public string? Family { get; set; }
    public string? Name { get; set; }
    public bool Eosl { get; set; }
}
