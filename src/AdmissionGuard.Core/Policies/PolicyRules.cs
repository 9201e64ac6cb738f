using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PolicyRules
{
    public HardenedRuleSpec? Hardened { get; set; }
    public RegistryRuleSpec? Registries { get; set; }
    public TagRuleSpec? Tags { get; set; }
    public ScanRuleSpec? Scan { get; set; }
    public Evaluation.Rules.Signatures.SignatureRuleSpec? Signatures { get; set; }
}
