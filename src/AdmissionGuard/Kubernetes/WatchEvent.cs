using System.Text.Json;

namespace AdmissionGuard.Kubernetes;

/// <summary>One line of a watch stream: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and its object.</summary>
internal readonly record struct WatchEvent(string Type, JsonElement Object);
