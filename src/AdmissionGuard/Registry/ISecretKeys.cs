using AdmissionGuard.Signatures;

namespace AdmissionGuard.Registry;

/// <summary>PEM public keys kept in Secrets, as last seen; never does I/O.</summary>
internal interface ISecretKeys
{
    /// <summary>The PEM text, or null with why (the Secret or its entry does not exist, or no cluster is watched).</summary>
    string? Find(SecretKeyReference reference, out string? problem);
}
