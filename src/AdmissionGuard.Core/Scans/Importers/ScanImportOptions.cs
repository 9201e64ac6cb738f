namespace AdmissionGuard.Scans.Importers;

/// <summary>What the caller adds to a report.</summary>
/// <param name="Image">The <c>--image</c> reference: names the image, supplies a digest, or picks one of several.</param>
/// <param name="Now">Used as <c>scannedAt</c> when the report carries no time.</param>
/// <param name="Scale">Computes the grade written into the output.</param>
public sealed record ScanImportOptions(string? Image, DateTimeOffset Now, GradeScale Scale);
