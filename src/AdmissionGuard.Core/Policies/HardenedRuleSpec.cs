using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class HardenedRuleSpec
{
    public bool? Required { get; set; }
    public List<string>? Sources { get; set; }
}
