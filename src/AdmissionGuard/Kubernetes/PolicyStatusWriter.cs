using System.Globalization;
using System.Text.Json;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Writes <c>status.conditions[type=Ready]</c> and <c>status.observedGeneration</c> with a merge patch to the
/// status subresource, only when they differ from what the object shows, so an unchanged cluster costs no
/// writes and a status write (which comes back as a watch event) cannot start a loop. Callers ensure that
/// only the leader calls it.
/// </summary>
internal sealed class PolicyStatusWriter(KubeApi api, TimeProvider time, ILogger logger)
{
    // The resourceVersion each object had when we patched it: until the watch shows a newer version,
    // a status that still looks stale is our own write in flight, not a reason to write again.
    private readonly Dictionary<string, (string? ResourceVersion, string Fingerprint)> written = new(StringComparer.Ordinal);

    /// <summary>Forget what was written (on gaining leadership, the cluster is the only truth).</summary>
    public void Reset() => written.Clear();

    /// <returns>False when a write failed and should be retried.</returns>
    public async Task<bool> WriteAsync(IReadOnlyList<StatusTarget> targets, CancellationToken cancellationToken)
    {
        var ok = true;
        foreach (var target in targets)
        {
            if (IsCurrent(target))
            {
                continue;
            }

            var fingerprint = $"{target.Generation}|{target.Reason}|{target.Message}";
            if (written.TryGetValue(target.Key, out var last) && last.ResourceVersion == target.ResourceVersion && last.Fingerprint == fingerprint)
            {
                continue;
            }

            try
            {
                await api.MergePatchAsync(target.Resource.Item(target.Namespace, target.Name) + "/status", Body(target), cancellationToken).ConfigureAwait(false);
                written[target.Key] = (target.ResourceVersion, fingerprint);
                if (!target.Ready)
                {
                    logger.LogWarning("{Kind} {Name} is invalid: {Message}", target.Resource.Kind, target.Namespace is null ? target.Name : $"{target.Namespace}/{target.Name}", target.Message);
                }
            }
            catch (KubeApiException e) when (e.StatusCode == 404)
            {
                // Deleted since the rebuild; nothing to report on.
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException)
            {
                logger.LogWarning("writing status of {Kind} {Name} failed: {Error}", target.Resource.Kind, target.Name, e.Message);
                ok = false;
            }
        }

        var live = targets.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in written.Keys.Where(k => !live.Contains(k)).ToList())
        {
            written.Remove(gone);
        }

        return ok;
    }

    private static bool IsCurrent(StatusTarget target)
    {
        var current = target.Current;
        var ready = ReadyOf(current);
        return current?.ObservedGeneration == target.Generation
            && ready is not null
            && ready.Status == (target.Ready ? "True" : "False")
            && ready.Reason == target.Reason
            && (ready.Message ?? "") == target.Message
            && ready.ObservedGeneration == target.Generation;
    }

    private static StatusCondition? ReadyOf(ResourceStatus? status) => status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    private byte[] Body(StatusTarget target)
    {
        var previous = ReadyOf(target.Current);
        var status = target.Ready ? "True" : "False";

        // lastTransitionTime moves only when the status flips, as the Kubernetes condition conventions ask.
        var transition = previous?.Status == status && previous.LastTransitionTime is { } kept
            ? kept
            : time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("status");
            WriteGeneration(json, "observedGeneration", target.Generation);

            // A merge patch replaces the whole list; Ready is the only condition these objects have.
            json.WriteStartArray("conditions");
            json.WriteStartObject();
            json.WriteString("type", "Ready");
            json.WriteString("status", status);
            json.WriteString("reason", target.Reason);
            json.WriteString("message", target.Message);
            WriteGeneration(json, "observedGeneration", target.Generation);
            json.WriteString("lastTransitionTime", transition);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteGeneration(Utf8JsonWriter json, string name, long? generation)
    {
        if (generation is { } g)
        {
            json.WriteNumber(name, g);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
