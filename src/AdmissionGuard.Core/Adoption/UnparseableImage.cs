namespace AdmissionGuard.Adoption;

/// <summary>An image string that is not a valid reference, and the first place it was seen.</summary>
public sealed record UnparseableImage(string Image, string Error, string Namespace, string Workload, string Container, int Containers);
