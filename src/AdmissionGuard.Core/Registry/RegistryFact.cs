namespace AdmissionGuard.Registry;

/// <summary>What the background registry cache knows of one reference.</summary>
public readonly record struct RegistryFact(RegistryFactState State, string? Digest)
{
    public static readonly RegistryFact Unknown = new(RegistryFactState.Unknown, null);
}
