using AdmissionGuard.Admission;

namespace AdmissionGuard.Serialization;

/// <summary>A workload read from a manifest, with where it came from.</summary>
public sealed record Manifest(string Kind, WorkloadObject Object, string Origin);
