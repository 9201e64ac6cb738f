using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ImageSelection
{
    public List<string>? Include { get; set; }
    public List<string>? Exclude { get; set; }
}
