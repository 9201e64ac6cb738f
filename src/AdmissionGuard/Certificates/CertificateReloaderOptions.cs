namespace AdmissionGuard.Certificates;

/// <summary>How <see cref="CertificateReloader"/> notices new certificate files.</summary>
internal sealed record CertificateReloaderOptions
{
    /// <summary>
    /// Fallback re-read interval. File events get lost (inotify limits, network filesystems), and a Secret
    /// volume update already takes up to a minute to land, so a slow poll costs nothing noticeable.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet time after the last file event before reloading, so cert and key written one after the other load as one pair.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Watch the directories for changes; polling alone is used when false.</summary>
    public bool WatchFileSystem { get; init; } = true;
}
