using System.Text.Json.Serialization;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary><c>spec.rules.signatures</c> as written.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SignatureRuleSpec
{
    public bool? Required { get; set; }
    public List<SignatureKeySpec?>? Keys { get; set; }
    public string? TransparencyLog { get; set; }
    public string? Repository { get; set; }
    public List<AttestationSpec?>? Attestations { get; set; }
}
