using System.Text.Json;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;

namespace AdmissionGuard.Tests.Scans;

internal static class ImportAssert
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    public static ScanImportResult Import(IScanReportImporter importer, string fixture, string? image = null)
    {
        Assert.True(ReportDocument.TryParse(File.ReadAllText(ScannerFixtures.PathOf(fixture)), out var document, out var error), error);
        using (document)
        {
            var root = document!.RootElement;
            Assert.True(importer.CanRead(root), $"{importer.Name} should read {fixture}");

            // Auto-detection must pick exactly this importer.
            Assert.Equal([importer.Name], ScanReportImporters.All.Where(i => i.CanRead(root)).Select(i => i.Name));
            return importer.Import(root, new ScanImportOptions(image, Now, GradeScale.Default));
        }
    }

    public static ImageScanSpec Spec(ScanImportResult result)
    {
        Assert.Null(result.Error);
        Assert.NotNull(result.Scan);
        Assert.Equal("admissionguard.io/v1alpha1", result.Scan.ApiVersion);
        Assert.Equal("ImageScan", result.Scan.Kind);
        var spec = result.Scan.Spec!;
        Assert.Equal("sha256-" + spec.Digest![7..47], result.Scan.Metadata!.Name);
        return spec;
    }

    public static void Counts(ImageScanSpec spec, int critical, int high, int medium, int low, int unknown, int fixableCritical, int fixableHigh)
    {
        var c = spec.Vulnerabilities!;
        Assert.Equal((critical, high, medium, low, unknown), (c.Critical, c.High, c.Medium, c.Low, c.Unknown));
        Assert.Equal((fixableCritical, fixableHigh), (spec.Fixable!.Critical, spec.Fixable.High));
    }

    public static string JsonOf(string json) => JsonDocument.Parse(json).RootElement.GetRawText();
}
