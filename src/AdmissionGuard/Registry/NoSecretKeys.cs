using AdmissionGuard.Signatures;

namespace AdmissionGuard.Registry;

/// <summary>Without a cluster there are no Secrets: a <c>secretRef</c> key verifies nothing, and the denial says why.</summary>
internal sealed class NoSecretKeys : ISecretKeys
{
    public static readonly NoSecretKeys Instance = new();

    public string? Find(SecretKeyReference reference, out string? problem)
    {
        problem = $"key Secret {reference} cannot be read without a cluster";
        return null;
    }
}
