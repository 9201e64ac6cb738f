namespace AdmissionGuard.Scans.Importers;

internal static class SeverityNames
{
    /// <summary>
    /// Maps every scanner's words to our buckets. Grype's Negligible, CycloneDX's info/none and Trivy's NONE
    /// name a known, minor weakness, so they count as low; only a missing or unrecognised severity is unknown.
    /// </summary>
    public static Severity Parse(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "CRITICAL" => Severity.Critical,
        "HIGH" => Severity.High,
        "MEDIUM" or "MODERATE" => Severity.Medium,
        "LOW" or "NEGLIGIBLE" or "INFO" or "NONE" => Severity.Low,
        _ => Severity.Unknown,
    };

    public static bool IsKnownWord(string? text) => text?.Trim().ToUpperInvariant() is
        "CRITICAL" or "HIGH" or "MEDIUM" or "MODERATE" or "LOW" or "NEGLIGIBLE" or "INFO" or "NONE" or "UNKNOWN";
}
