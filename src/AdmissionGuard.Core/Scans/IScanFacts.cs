using AdmissionGuard.Images;

namespace AdmissionGuard.Scans;

/// <summary>Read-only scan facts for the admission hot path: no I/O, no locks.</summary>
public interface IScanFacts
{
    /// <summary>
    /// The scan that counts for <paramref name="image"/>: when <paramref name="digest"/> is known, only a
    /// scan of that digest (under any repository); otherwise the newest scan whose image equals the
    /// normalized reference. Null when there is none.
    /// </summary>
    ScanRecord? Find(ImageReference image, string? digest);

    /// <summary>How many scans are held.</summary>
    int Count { get; }
}
