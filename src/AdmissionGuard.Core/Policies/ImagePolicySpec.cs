using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ImagePolicySpec
{
    public string? Mode { get; set; }
    public PolicyMatch? Match { get; set; }
    public ImageSelection? Images { get; set; }
    public PolicyRules? Rules { get; set; }
    public RewriteSpec? Rewrite { get; set; }
    public List<PolicyExemption>? Exceptions { get; set; }
}
