using System.Text.Json;

namespace AdmissionGuard.Scans.Importers;

/// <summary>Turns one scanner's report format into an <see cref="ImageScan"/>.</summary>
public interface IScanReportImporter
{
    /// <summary>The <c>--format</c> name.</summary>
    string Name { get; }

    /// <summary>True when <paramref name="root"/> looks like this format; cheap, used for <c>--format auto</c>.</summary>
    bool CanRead(JsonElement root);

    /// <summary>Reads the report; a report that cannot give a digest, an image, or one image is an error result.</summary>
    ScanImportResult Import(JsonElement root, ScanImportOptions options);
}
