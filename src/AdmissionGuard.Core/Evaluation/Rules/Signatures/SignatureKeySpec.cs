using System.Text.Json.Serialization;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary>One entry of <c>keys</c>: a name and either a PEM <c>publicKey</c> or a <c>secretRef</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SignatureKeySpec
{
    public string? Name { get; set; }
    public string? PublicKey { get; set; }
    public SecretKeySelector? SecretRef { get; set; }
}
