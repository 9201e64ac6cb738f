using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TagRuleSpec
{
    public List<string>? Disallowed { get; set; }
    public bool? RequireDigest { get; set; }
}
