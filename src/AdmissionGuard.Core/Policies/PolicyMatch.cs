using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PolicyMatch
{
    public LabelSelector? NamespaceSelector { get; set; }
    public List<string>? Namespaces { get; set; }
    public List<string>? ExcludeNamespaces { get; set; }
    public LabelSelector? PodSelector { get; set; }
}
