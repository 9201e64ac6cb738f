namespace AdmissionGuard.Scans.Importers;

/// <summary>The known report formats, in <c>--format</c> order.</summary>
public static class ScanReportImporters
{
    public static IReadOnlyList<IScanReportImporter> All { get; } =
    [
        new TrivyJsonImporter(),
        new GrypeJsonImporter(),
        new SarifImporter(),
        new CycloneDxImporter(),
        new TrivyOperatorImporter(),
    ];

    public static IScanReportImporter? ByName(string name) =>
        All.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));
}
