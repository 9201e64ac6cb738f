namespace AdmissionGuard.Registry;

/// <summary>Bounds on signature material read from a registry; documented in docs/signatures.md.</summary>
internal sealed record SignatureOptions
{
    /// <summary>Largest signature payload, DSSE envelope or Sigstore bundle read.</summary>
    public int MaxBlobBytes { get; init; } = 1024 * 1024;

    /// <summary>Most signature layers, attestation layers or bundle referrers examined per digest; more is an error, not a cut.</summary>
    public int MaxCandidates { get; init; } = 32;

    /// <summary>How long a verified answer is kept.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long "unsigned", "invalid" and "unreachable" are kept, so a fresh signature is seen soon.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Most answers held.</summary>
    public int MaxEntries { get; init; } = 10_000;
}
