using System.Text.Json.Serialization;

namespace AdmissionGuard.Policies;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ScanRuleSpec
{
    public string? MinGrade { get; set; }
    public int? MaxCritical { get; set; }
    public int? MaxHigh { get; set; }
    public string? MaxAge { get; set; }
    public string? OnMissing { get; set; }
}
