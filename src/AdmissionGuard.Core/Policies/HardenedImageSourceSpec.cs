using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class HardenedImageSourceSpec
{
    public List<string>? Hardened { get; set; }
    public List<string>? NotHardened { get; set; }
    public List<ImageMapping>? Mappings { get; set; }
    public bool? VerifyExists { get; set; }
}
