namespace AdmissionGuard.Registry;

/// <summary>
/// Registry settings as declared (flags or config file). Every default is documented in docs/registry.md;
/// keep the two in step.
/// </summary>
internal sealed record RegistryOptions
{
    /// <summary>Registries (<c>host[:port]</c>, exact match) that are spoken to over plain HTTP. Everything else is HTTPS.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>PEM files whose certificates are trusted as roots in addition to the system store.</summary>
    public IReadOnlyList<string> CaBundleFiles { get; init; } = [];

    /// <summary>A docker config JSON (<c>~/.docker/config.json</c> or a dockerconfigjson pull secret); null = anonymous.</summary>
    public string? DockerConfigPath { get; init; }

    /// <summary>How long admission waits for a registry answer on a cache miss; zero = never wait.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long an answer (exists, with digest) is trusted.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a negative answer (missing, unreachable, refused) is trusted, so a fresh push is seen soon.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// After an "exists" answer expires, how long it is still served when the registry cannot be asked,
    /// so a registry outage does not turn every verified twin into "could not be verified".
    /// </summary>
    public TimeSpan StaleIfError { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Most references held; beyond it expired, then least recently used entries are dropped.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Consecutive failures (network, timeout, 5xx, 429) of one registry that open its breaker.</summary>
    public int BreakerFailureThreshold { get; init; } = 5;

    /// <summary>How long an open breaker answers "unreachable" without I/O before one trial request.</summary>
    public TimeSpan BreakerCoolDown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of each single HTTP request (manifest, token, redirect hop).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest manifest body read.</summary>
    public int MaxManifestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest token response body read.</summary>
    public int MaxTokenBytes { get; init; } = 64 * 1024;

    /// <summary>Redirects followed per request.</summary>
    public int MaxRedirects { get; init; } = 3;

    internal bool IsInsecure(string hostAndPort)
    {
        foreach (var entry in InsecureRegistries)
        {
            if (string.Equals(entry, hostAndPort, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
