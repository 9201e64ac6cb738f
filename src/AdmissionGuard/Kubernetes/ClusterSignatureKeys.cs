using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Public keys that <c>signatures</c> rules keep in Secrets (<c>secretRef</c>). Only the Secrets the current policies name
/// are watched, one watch each (<c>fieldSelector=metadata.name=</c> in their namespace, which RBAC with
/// <c>resourceNames</c> allows), started and stopped as policies change. Only the data entries are kept, decoded.
/// A changed key is seen by the watch and, since the signature cache keys by key content, verified afresh on next use.
/// </summary>
internal sealed class ClusterSignatureKeys(KubeApi api, AdmissionStateStore store, TimeProvider time, ILogger<ClusterSignatureKeys> logger, WatcherOptions watch)
    : ISecretKeys, IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, (ResourceWatcher<Dictionary<string, string>> Watcher, CancellationTokenSource Stop)> _watchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _sync = new();

    public string? Find(SecretKeyReference reference, out string? problem)
    {
        problem = null;
        var id = reference.Namespace + "/" + reference.Name;
        if (!_watchers.TryGetValue(id, out var entry) || !entry.Watcher.Synced.IsCompleted)
        {
            problem = $"key Secret {id} has not been read yet";
            return null;
        }

        if (!entry.Watcher.TryGet(id, out var secret))
        {
            problem = $"key Secret {id} does not exist";
            return null;
        }

        if (secret.Value is null || !secret.Value.TryGetValue(reference.Key, out var pem))
        {
            problem = secret.Error is not null ? $"key Secret {id}: {secret.Error}" : $"key Secret {id} has no entry \"{reference.Key}\"";
            return null;
        }

        return pem;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Swapped += _ => Reconcile();
        Reconcile();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _shutdown.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var (_, entry) in _watchers)
        {
            entry.Stop.Dispose();
        }

        _shutdown.Dispose();
    }

    /// <summary>Watches exactly the Secrets the current policies name.</summary>
    private void Reconcile()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        var wanted = store.Current.Snapshot.SignatureKeySecrets
            .Select(s => (s.Namespace, s.Name))
            .ToHashSet();
        lock (_sync)
        {
            foreach (var (ns, name) in wanted)
            {
                var id = ns + "/" + name;
                if (_watchers.ContainsKey(id))
                {
                    continue;
                }

                var watcher = new ResourceWatcher<Dictionary<string, string>>(api, ResourcePath.Secrets, Decode, time, logger, watch, inNamespace: ns, name: name);
                var stop = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
                _watchers[id] = (watcher, stop);
                _ = Task.Run(() => watcher.RunAsync(stop.Token));
            }

            foreach (var (id, entry) in _watchers)
            {
                var slash = id.IndexOf('/', StringComparison.Ordinal);
                if (!wanted.Contains((id[..slash], id[(slash + 1)..])) && _watchers.TryRemove(id, out _))
                {
                    entry.Stop.Cancel();
                    entry.Stop.Dispose();
                }
            }
        }
    }

    private static Dictionary<string, string> Decode(JsonElement secret)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (secret.TryGetProperty("data", out var entries) && entries.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in entries.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                try
                {
                    data[entry.Name] = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Value.GetString()!));
                }
                catch (FormatException)
                {
                    // The message names the entry, never its value: this text is logged and shown.
                    throw new InvalidDataException($"data[\"{entry.Name}\"] is not base64");
                }
            }
        }

        return data;
    }
}
