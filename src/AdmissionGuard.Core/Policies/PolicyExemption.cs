using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PolicyExemption
{
    public List<string>? Images { get; set; }
    public List<string>? Namespaces { get; set; }
    public string? Expires { get; set; }
    public string? Reason { get; set; }
}
