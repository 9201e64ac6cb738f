using AdmissionGuard.Scans;

namespace AdmissionGuard.Evaluation;

/// <summary>What the engine found for one image site.</summary>
public sealed record ImageResult(
    ImageSite Site,
    string? Normalized,
    string? ParseError,
    bool? Hardened,
    Grade? Grade,
    IReadOnlyList<Violation> Violations,
    string? Replacement,
    ImageRewrite? Rewrite,
    IReadOnlyList<string> Exemptions);
