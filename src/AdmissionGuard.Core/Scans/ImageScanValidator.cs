using AdmissionGuard.Scans.Importers;
using AdmissionGuard.Images;

namespace AdmissionGuard.Scans;

/// <summary>Checks an ImageScan before it may count at admission; the first problem found is reported.</summary>
internal static class ImageScanValidator
{
    public const string ApiVersion = "admissionguard.io/v1alpha1";

    public static string? Validate(ImageScan scan)
    {
        if (scan.ApiVersion is not null && scan.ApiVersion != ApiVersion)
        {
            return $"apiVersion: must be {ApiVersion}";
        }

        if (scan.Kind is not null && scan.Kind != ImageScan.KindName)
        {
            return $"kind: must be {ImageScan.KindName}";
        }

        var spec = scan.Spec;
        if (spec is null)
        {
            return "spec: required";
        }

        if (string.IsNullOrEmpty(spec.Image))
        {
            return "spec.image: required";
        }

        if (spec.Image.Contains('@', StringComparison.Ordinal))
        {
            return "spec.image: must not contain a digest; put it in spec.digest";
        }

        // Lookup compares normalized strings, so an image written "nginx:1.25" would never match anything.
        if (!ImageNames.TryNormalize(spec.Image, out var normalized, out _, out _, out _) || normalized != spec.Image)
        {
            return normalized is null
                ? "spec.image: not a valid image reference"
                : $"spec.image: must be the normalized reference \"{normalized}\"";
        }

        if (string.IsNullOrEmpty(spec.Digest))
        {
            return "spec.digest: required";
        }

        if (!Digests.IsValid(spec.Digest))
        {
            return "spec.digest: must be sha256:<64 hex> or sha512:<128 hex>, lowercase";
        }

        if (spec.ScannedAt is null)
        {
            return "spec.scannedAt: required";
        }

        var counts = spec.Vulnerabilities;
        if (counts is null)
        {
            return "spec.vulnerabilities: required";
        }

        if (counts.Critical < 0 || counts.High < 0 || counts.Medium < 0 || counts.Low < 0 || counts.Unknown < 0)
        {
            return "spec.vulnerabilities: counts must not be negative";
        }

        if (spec.Fixable is { } fixable)
        {
            if (fixable.Critical < 0 || fixable.High < 0)
            {
                return "spec.fixable: counts must not be negative";
            }

            if (fixable.Critical > counts.Critical)
            {
                return "spec.fixable.critical: must not exceed spec.vulnerabilities.critical";
            }

            if (fixable.High > counts.High)
            {
                return "spec.fixable.high: must not exceed spec.vulnerabilities.high";
            }
        }

        if (spec.Grade is not null && !GradeScale.TryParseGrade(spec.Grade, out _))
        {
            return "spec.grade: must be one of A, B, C, D, E, F";
        }

        return null;
    }
}
