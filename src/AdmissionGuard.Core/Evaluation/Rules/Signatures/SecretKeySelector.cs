using System.Text.Json.Serialization;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary><c>secretRef: {namespace, name, key}</c>: the Secret data entry holding a PEM public key.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SecretKeySelector
{
    public string? Namespace { get; set; }
    public string? Name { get; set; }
    public string? Key { get; set; }
}
