using System.Globalization;
using AdmissionGuard.Images;

namespace AdmissionGuard.Scans.Importers;

/// <summary>
/// Settles image and digest for every format alike: the report's repo digest, else the <c>--image</c> digest;
/// several candidate images need <c>--image</c> to pick one.
/// </summary>
internal static class ScanFactsResolver
{
    public static ScanImportResult Resolve(ScanReportFacts facts, ScanImportOptions options)
    {
        string? wantedName = null, wantedRepository = null, wantedTag = null, wantedDigest = null;
        if (options.Image is not null
            && !ImageNames.TryNormalize(options.Image, out wantedName, out wantedRepository, out wantedTag, out wantedDigest))
        {
            return ScanImportResult.Fail($"--image \"{options.Image}\" is not a valid image reference");
        }

        // (repository or null, digest) pairs the report names.
        var reported = new List<(string? Repository, string Digest)>();
        foreach (var entry in facts.RepoDigests)
        {
            if (Digests.IsValid(entry))
            {
                reported.Add((null, entry));
            }
            else if (ImageNames.TryNormalize(entry, out _, out var repository, out _, out var digest) && digest is not null)
            {
                reported.Add((repository, digest));
            }
            else
            {
                facts.Warnings.Add($"ignored repo digest \"{entry}\": not repository@sha256:<64 hex>");
            }
        }

        var distinct = reported.Select(r => r.Digest).Distinct(StringComparer.Ordinal).ToList();
        string digestChosen;
        string? digestRepository = null;
        if (wantedDigest is not null)
        {
            if (distinct.Count > 0 && !distinct.Contains(wantedDigest, StringComparer.Ordinal))
            {
                return ScanImportResult.Fail($"--image digest {wantedDigest} is not in the report, which names {string.Join(", ", distinct)}");
            }

            digestChosen = wantedDigest;
            digestRepository = reported.FirstOrDefault(r => r.Digest == wantedDigest).Repository;
        }
        else if (distinct.Count == 1)
        {
            digestChosen = distinct[0];
            digestRepository = reported[0].Repository;
        }
        else if (distinct.Count > 1)
        {
            var picked = wantedRepository is null
                ? []
                : reported.Where(r => r.Repository == wantedRepository).Select(r => r.Digest).Distinct(StringComparer.Ordinal).ToList();
            if (picked.Count != 1)
            {
                return ScanImportResult.Fail(
                    $"the report names several images ({string.Join(", ", reported.Select(r => (r.Repository ?? "") + "@" + r.Digest))}); pick one with --image REF@sha256:<digest>");
            }

            digestChosen = picked[0];
            digestRepository = wantedRepository;
        }
        else
        {
            return ScanImportResult.Fail(
                "the report has no image digest (an image ID is the config digest, not the manifest digest admission sees); pass --image REF@sha256:<digest>");
        }

        var names = new List<(string? Normalized, string? Repository)>();
        foreach (var name in facts.ImageNames)
        {
            if (ImageNames.TryNormalize(name, out var normalized, out var repository, out _, out _))
            {
                names.Add((normalized, repository));
            }
        }

        string? image;
        if (wantedTag is not null)
        {
            image = wantedName;
        }
        else
        {
            var preferredRepository = wantedRepository ?? digestRepository;
            image = names.FirstOrDefault(n => n.Repository == preferredRepository).Normalized
                ?? (wantedRepository is null ? names.FirstOrDefault().Normalized : null)
                ?? wantedRepository
                ?? digestRepository;
        }

        if (image is null)
        {
            return ScanImportResult.Fail("the report does not name the image; pass --image REF[:tag]@sha256:<digest>");
        }

        var scannedAt = facts.ScannedAt;
        if (scannedAt is null)
        {
            scannedAt = options.Now;
            facts.Warnings.Add("the report carries no scan time; scannedAt is the import time " + options.Now.ToString("O", CultureInfo.InvariantCulture));
        }

        if (facts.Findings.Duplicates > 0)
        {
            facts.Warnings.Add($"{facts.Findings.Duplicates} duplicate finding(s) counted once");
        }

        var counts = facts.Findings.Counts;
        if (facts.Summary is { } summary)
        {
            counts = new SeverityCounts
            {
                Critical = Math.Max(counts.Critical, summary.Critical),
                High = Math.Max(counts.High, summary.High),
                Medium = Math.Max(counts.Medium, summary.Medium),
                Low = Math.Max(counts.Low, summary.Low),
                Unknown = Math.Max(counts.Unknown, summary.Unknown),
            };
        }

        var spec = new ImageScanSpec
        {
            Image = image,
            Digest = digestChosen,
            Scanner = new ScannerInfo { Name = facts.ScannerName, Version = facts.ScannerVersion },
            ScannedAt = scannedAt,
            Vulnerabilities = counts,
            Fixable = facts.Findings.Fixable,
            Os = facts.Os,
        };
        spec.Grade = options.Scale.ComputeFromCounts(spec).ToString();
        var scan = new ImageScan
        {
            ApiVersion = ImageScanValidator.ApiVersion,
            Kind = ImageScan.KindName,
            Metadata = new Policies.ObjectMeta { Name = Digests.ObjectName(digestChosen) },
            Spec = spec,
        };
        return new ScanImportResult(scan, null, facts.Warnings);
    }
}
