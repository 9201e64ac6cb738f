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
        var errors = new List<ScanValidationError>();
        return new ScanIndexBuildResult(Of(Records(scans, scale, errors)), errors);
    }

    /// <summary>
    /// The compact record of each valid object, in order, for <see cref="Of"/>; one error per invalid object is added
    /// to <paramref name="errors"/>. What holds many scans for long (a folder's last good files) keeps these, not the objects.
    /// </summary>
    public static List<ScanRecord> Records(IEnumerable<ImageScan> scans, GradeScale scale, List<ScanValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(scans);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(errors);
        var records = new List<ScanRecord>();

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

            if (ToRecord(scan, scale, images, out var error) is { } record)
            {
                records.Add(record);
            }
            else
            {
                errors.Add(new ScanValidationError(scan.Metadata?.Name ?? $"#{index}", error!));
            }
        }

        return records;
    }

    /// <summary>
    /// One object checked and graded: the compact record the index keeps, or null and why (the field path first).
    /// A cluster's watch cache keeps this, not the object.
    /// </summary>
    public static ScanRecord? ToRecord(ImageScan scan, GradeScale scale, out string? error) => ToRecord(scan, scale, null, out error);

    private static ScanRecord? ToRecord(ImageScan scan, GradeScale scale, Dictionary<string, string>? images, out string? error)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(scale);
        error = ImageScanValidator.Validate(scan);
        if (error is not null)
        {
            return null;
        }

        var spec = scan.Spec!;
        var image = spec.Image!;
        if (images is not null && !images.TryAdd(image, image))
        {
            image = images[image];
        }

        var counts = spec.Vulnerabilities!;
        return new ScanRecord(
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
    }

    /// <summary>
    /// The index of records already checked (<see cref="ToRecord(ImageScan, GradeScale, out string?)"/>): for a digest
    /// and for a reference the newest <c>scannedAt</c> wins; on a tie, the later record.
    /// </summary>
    public static ScanIndex Of(IEnumerable<ScanRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var byDigest = new Dictionary<string, ScanRecord>(StringComparer.Ordinal);
        var byImage = new Dictionary<string, ScanRecord>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            KeepNewest(byDigest, record.Digest, record);
            KeepNewest(byImage, WithLatest(record.Image), record);
        }

        // The byImage winner may have lost its digest slot to a newer scan of the same digest under another
        // name; that is fine: a tag lookup only happens when the digest is unknown.
        byDigest.TrimExcess();
        byImage.TrimExcess();
        return byDigest.Count == 0 ? Empty : new ScanIndex(byDigest, byImage);
    }

    /// <inheritdoc />
    public ScanRecord? Find(ImageReference image, string? digest)
    {
        ArgumentNullException.ThrowIfNull(image);
        digest ??= image.Digest;
        if (digest is not null)
        {
            return _byDigest.TryGetValue(digest, out var byDigest) ? byDigest : null;
        }

        // A reference without tag or digest is ":latest" for scan lookup as everywhere else.
        return _byImage.TryGetValue(image.NormalizedWithTag, out var byImage) ? byImage : null;
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

        return normalizedReference is not null && _byImage.TryGetValue(WithLatest(normalizedReference), out var byImage) ? byImage : null;
    }

    /// <summary><c>registry/path</c> without a tag is <c>registry/path:latest</c>; a tagged reference is unchanged.</summary>
    private static string WithLatest(string normalizedReference) =>
        normalizedReference.AsSpan(normalizedReference.LastIndexOf('/') + 1).Contains(':') ? normalizedReference : normalizedReference + ":latest";

    private static void KeepNewest(Dictionary<string, ScanRecord> map, string key, ScanRecord record)
    {
        if (!map.TryGetValue(key, out var existing) || record.ScannedAt >= existing.ScannedAt)
        {
            map[key] = record;
        }
    }
}
