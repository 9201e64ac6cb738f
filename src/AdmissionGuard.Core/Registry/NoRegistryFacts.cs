namespace AdmissionGuard.Registry;

/// <summary>A registry cache that knows nothing: every twin is unverified.</summary>
public sealed class NoRegistryFacts : IRegistryFacts
{
    public static readonly NoRegistryFacts Instance = new();

    public RegistryFact Lookup(string normalizedReference) => RegistryFact.Unknown;

    public bool Offline => true;

    /// <summary>Without a registry nothing is fetched, so signatures are not evaluated (<c>check</c> without <c>--registry</c>).</summary>
    public Signatures.SignatureFact Signatures(Signatures.SignatureQuery query) => AdmissionGuard.Signatures.SignatureFact.Offline;
}
