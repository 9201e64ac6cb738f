using AdmissionGuard.Admission;

namespace AdmissionGuard.Serialization;

/// <summary>A workload read from a manifest, with where it came from.</summary>
/// <param name="Origin">The document within the input, for people: <c>file.yaml#2</c>, <c>file.yaml.items[0]</c>.</param>
/// <param name="Source">The input itself, as it was named (a file path or <c>&lt;stdin&gt;</c>), for tools that link to files.</param>
public sealed record Manifest(string Kind, WorkloadObject Object, string Origin, string Source);
