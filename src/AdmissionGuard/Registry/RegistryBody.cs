namespace AdmissionGuard.Registry;

/// <summary>
/// The answer to one GET of signature material: a body within its limit, not found, too large, or why none came
/// (<see cref="HostFailure"/>: the registry is down or overloaded, which counts for its breaker).
/// </summary>
internal sealed record RegistryBody(int Status, byte[]? Body, string? Digest, string? Failure, bool HostFailure, bool TooLarge)
{
    public bool IsNotFound => Status == 404;

    public bool IsOk => Body is not null;

    public static RegistryBody Failed(string reason, bool hostFailure) => new(0, null, null, reason, hostFailure, false);
}
