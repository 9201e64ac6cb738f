using AdmissionGuard.Images;

namespace AdmissionGuard.Scans;

/// <summary>
/// Immutable scan lookup for admission, built once per snapshot. Two ordinal dictionaries, so a lookup
/// costs the same at ten scans or a million and allocates nothing.
/// </summary>
public sealed class ScanIndex : IScanFacts
{
    private readonly Dictionary<string, ScanRecord> _byDigest;
    private readonly Dictionary<string, ScanRecord> _byImage;

    private ScanIndex(Dictionary<string, ScanRecord> byDigest, Dictionary<string, ScanRecord> byImage)
    {
        _byDigest = byDigest;
        _byImage = byImage;
    }

    /// <summary>An index holding no scans.</summary>
    public static ScanIndex Empty { get; } = new(new(StringComparer.Ordinal), new(StringComparer.Ordinal));

    /// <summary>How many digests have a scan.</summary>
    public int Count => _byDigest.Count;

    /// <summary>
    /// Builds the index. Invalid objects are left out and reported, each with the field path at fault.
    /// For a digest and for a reference the newest <c>scannedAt</c> wins; on a tie, the later object.
    /// </summary>
    public static ScanIndexBuildResult Build(IEnumerable<ImageScan> scans, GradeScale scale)
    {
        ArgumentNullException.ThrowIfNull(scans);
        ArgumentNullException.ThrowIfNull(scale);
        var errors = new List<ScanValidationError>();
        var byDigest = new Dictionary<string, ScanRecord>(StringComparer.Ordinal);
        var byImage = new Dictionary<string, ScanRecord>(StringComparer.Ordinal);

        // Many scans share an image string (every rebuild of nginx:1.25); keep one instance of each.
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var scan in scans)
        {
            index++;
            if (scan is null)
            {
                continue;
            }

            var name = scan.Metadata?.Name ?? $"#{index}";
            var error = ImageScanValidator.Validate(scan);
            if (error is not null)
            {
                errors.Add(new ScanValidationError(name, error));
                continue;
            }

            var spec = scan.Spec!;
            if (!images.TryGetValue(spec.Image!, out var image))
            {
                image = spec.Image!;
                images.Add(image, image);
            }

            var counts = spec.Vulnerabilities!;
            var record = new ScanRecord(
                image,
                spec.Digest!,
                spec.ScannedAt!.Value,
                scale.Compute(spec),
                counts.Critical,
                counts.High,
                spec.Fixable?.Critical ?? 0,
                spec.Fixable?.High ?? 0)
            {
                Medium = counts.Medium,
                Low = counts.Low,
                Unknown = counts.Unknown,
            };
            KeepNewest(byDigest, record.Digest, record);
            KeepNewest(byImage, image, record);
        }

        // The byImage winner may have lost its digest slot to a newer scan of the same digest under another
        // name; that is fine: a tag lookup only happens when the digest is unknown.
        byDigest.TrimExcess();
        byImage.TrimExcess();
        var built = byDigest.Count == 0 ? Empty : new ScanIndex(byDigest, byImage);
        return new ScanIndexBuildResult(built, errors);
    }

    /// <inheritdoc />
    public ScanRecord? Find(ImageReference image, string? digest)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Find(image.Normalized, digest ?? image.Digest);
    }

    /// <summary>
    /// As <see cref="Find(ImageReference, string?)"/> for a normalized reference string without digest.
    /// With a digest, only that digest's scan counts: no fallback to the tag, whose scan may be of other content.
    /// </summary>
    public ScanRecord? Find(string normalizedReference, string? digest)
    {
        if (digest is not null)
        {
            return _byDigest.TryGetValue(digest, out var byDigest) ? byDigest : null;
        }

        return normalizedReference is not null && _byImage.TryGetValue(normalizedReference, out var byImage) ? byImage : null;
    }

    private static void KeepNewest(Dictionary<string, ScanRecord> map, string key, ScanRecord record)
    {
        if (!map.TryGetValue(key, out var existing) || record.ScannedAt >= existing.ScannedAt)
        {
            map[key] = record;
        }
    }
}
