namespace AdmissionGuard.Tests.Kubernetes;

internal sealed record RecordedRequest(string Method, string Path, string Query, string Body, string? ContentType);
