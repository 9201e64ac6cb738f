using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

/// <summary>A Kubernetes LabelSelector.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class LabelSelector
{
    public Dictionary<string, string>? MatchLabels { get; set; }
    public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}
