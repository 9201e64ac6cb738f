namespace AdmissionGuard.Registry;

/// <summary>A registry cache that knows nothing: every twin is unverified.</summary>
public sealed class NoRegistryFacts : IRegistryFacts
{
    public static readonly NoRegistryFacts Instance = new();

    public RegistryFact Lookup(string normalizedReference) => RegistryFact.Unknown;
}
