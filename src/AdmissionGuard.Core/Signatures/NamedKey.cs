namespace AdmissionGuard.Signatures;

/// <summary>A key with the name the policy gave it, which denial reasons list.</summary>
public sealed record NamedKey(string Name, VerificationKey Key);
