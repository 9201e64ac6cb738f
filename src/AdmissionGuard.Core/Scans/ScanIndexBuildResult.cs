namespace AdmissionGuard.Scans;

/// <summary>The index built from the valid objects, and one error per object that was left out.</summary>
public sealed record ScanIndexBuildResult(ScanIndex Index, IReadOnlyList<ScanValidationError> Errors);
