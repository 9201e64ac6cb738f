using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RewriteSpec
{
    public bool? Enabled { get; set; }
    public bool? PinDigest { get; set; }
    public string? Target { get; set; }
}
