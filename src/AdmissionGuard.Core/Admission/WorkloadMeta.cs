namespace AdmissionGuard.Admission;

/// <summary>
/// The metadata admission reads from a Pod or pod template: name and namespace for messages, labels for
/// selectors. Annotations (a kubectl-applied workload carries its whole last-applied configuration in one),
/// managedFields and owner references are skipped by the reader, never materialized.
/// </summary>
public sealed class WorkloadMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}
