using AdmissionGuard.Policies;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// One cached object: its metadata and status always, its decoded value when it decodes. An object that
/// fails to decode stays in the cache with <see cref="Error"/>, so it is reported (and its status written),
/// never dropped silently.
/// </summary>
internal sealed record WatchedObject<T>(string Key, ObjectMeta Meta, ResourceStatus? Status, T? Value, string? Error, string? ErrorField)
    where T : class;
