namespace AdmissionGuard.Registry;

/// <summary>
/// One registry answer. <see cref="HostFailure"/> marks answers that say the registry itself is unwell
/// (network, timeout, 5xx, 429): only those count toward its circuit breaker; a 404 or an auth refusal
/// is the registry working.
/// </summary>
internal sealed record RegistryLookupResult(RegistryFactState State, string? Digest, string? Reason, bool HostFailure)
{
    public static RegistryLookupResult Exists(string digest) => new(RegistryFactState.Exists, digest, null, false);

    public static RegistryLookupResult Missing() => new(RegistryFactState.Missing, null, null, false);

    public static RegistryLookupResult Refused(string reason) => new(RegistryFactState.Unreachable, null, reason, false);

    public static RegistryLookupResult Failed(string reason) => new(RegistryFactState.Unreachable, null, reason, true);

    public RegistryFact ToFact() => new(State, Digest);
}
