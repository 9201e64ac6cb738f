using AdmissionGuard.Scans;

namespace AdmissionGuard.Commands;

internal static class ScanFactsLoader
{
    public static IScanFacts Build(IEnumerable<ImageScan> scans, out List<string> errors)
    {
        var result = ScanIndex.Build(scans, GradeScale.Default);
        errors = [.. result.Errors.Select(e => e.ToString())];
        return result.Index;
    }
}
