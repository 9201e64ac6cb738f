namespace AdmissionGuard.Signatures;

/// <summary>A key as the policy names it: PEM material compiled in, or a Secret read when verifying.</summary>
public sealed record TrustedKey(string Name, VerificationKey? Key, SecretKeyReference? Secret);
