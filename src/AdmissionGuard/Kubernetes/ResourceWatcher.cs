using System.Collections.Immutable;
using System.Text.Json;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// List, then watch from the list's resourceVersion, keeping a cache of decoded objects. A dropped watch
/// resumes from the last resourceVersion seen (events and bookmarks advance it), so nothing is lost or
/// replayed; 410 Gone (HTTP or an ERROR event) means the server no longer has that history: list again and
/// replace the cache. Other failures back off exponentially with jitter. <see cref="Synced"/> completes after
/// the first full list; <see cref="Changed"/> fires after every change to the cache.
/// </summary>
internal sealed class ResourceWatcher<T>
    where T : class
{
    private readonly KubeApi api;
    private readonly Func<JsonElement, T> decode;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly WatcherOptions options;
    private readonly string collection;
    private readonly string selector;
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableDictionary<string, WatchedObject<T>> items = ImmutableDictionary.Create<string, WatchedObject<T>>(StringComparer.Ordinal);
    private string? resourceVersion;
    private int lists;

    /// <param name="optional">A 404 on list means the CRD is not installed: the watcher counts as synced and empty, says so once, and looks again now and then.</param>
    /// <param name="inNamespace">List and watch in this namespace only (RBAC granted by a namespaced Role needs it).</param>
    /// <param name="name">Only the object of this name (<c>fieldSelector=metadata.name=</c>), which RBAC with <c>resourceNames</c> allows for list and watch.</param>
    /// <param name="fieldSelector">Only objects the API server selects with this field selector (<c>type=kubernetes.io/dockerconfigjson</c>).</param>
    public ResourceWatcher(KubeApi api, ResourcePath path, Func<JsonElement, T> decode, TimeProvider time, ILogger logger, WatcherOptions? options = null, bool optional = false, string? inNamespace = null, string? name = null, string? fieldSelector = null)
    {
        collection = inNamespace is null ? path.Collection : path.NamespacedCollection(inNamespace);
        var fields = string.Join(',', new[] { name is null ? null : "metadata.name=" + name, fieldSelector }.OfType<string>());
        selector = fields.Length == 0 ? "" : $"fieldSelector={Uri.EscapeDataString(fields)}&";
        this.api = api;
        Path = path;
        this.decode = decode;
        this.time = time;
        this.logger = logger;
        this.options = options ?? new WatcherOptions();
        Optional = optional;
    }

    public event Action? Changed;

    public ResourcePath Path { get; }

    public bool Optional { get; }

    /// <summary>Completes after the first full list (or, for an optional resource, when it is found absent).</summary>
    public Task Synced => synced.Task;

    /// <summary>The optional resource does not exist in this cluster.</summary>
    public bool Absent { get; private set; }

    /// <summary>How many full lists have been made (the first, plus one per 410 or failed resume).</summary>
    public int Lists => Volatile.Read(ref lists);

    public string? ResourceVersion => Volatile.Read(ref resourceVersion);

    /// <summary>One cached object by key (<c>namespace/name</c>, or <c>name</c>); a lock-free read for the admission path.</summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out WatchedObject<T> value) =>
        Volatile.Read(ref items).TryGetValue(key, out value);

    /// <summary>A copy of the cache at this moment.</summary>
    public IReadOnlyCollection<WatchedObject<T>> Items => [.. Volatile.Read(ref items).Values];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (ResourceVersion is null)
                {
                    if (!await ListAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await Task.Delay(options.AbsentRecheck, time, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    failures = 0;
                }

                if (await WatchAsync(cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                }
                else
                {
                    // The server ended a watch at once without a single line: do not spin.
                    failures++;
                    await Task.Delay(Backoff.Delay(failures, options.InitialBackoff, options.MaxBackoff), time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                logger.LogInformation("{Resource}: resourceVersion {Version} is too old, listing again", Path, ResourceVersion);
                Volatile.Write(ref resourceVersion, null);
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or JsonException or OperationCanceledException)
            {
                // OperationCanceledException here is the idle guard or an HttpClient timeout, not shutdown.
                failures++;
                var delay = Backoff.Delay(failures, options.InitialBackoff, options.MaxBackoff);
                var level = failures > 3 ? LogLevel.Warning : LogLevel.Information;
                logger.Log(level, "{Resource}: {Error}; retrying in {Delay} ms (from resourceVersion {Version})", Path, e.Message, (int)delay.TotalMilliseconds, ResourceVersion ?? "none: list");
                try
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <returns>False when the optional resource is absent.</returns>
    private async Task<bool> ListAsync(CancellationToken cancellationToken)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, WatchedObject<T>>(StringComparer.Ordinal);
        string? continueToken = null;
        string? version;
        // Every full list is a span (the first, and each relist after a 410 or a failed resume); watch events are not.
        using var span = Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.WatchList, System.Diagnostics.ActivityKind.Client);
        span?.SetTag("admissionguard.resource", Path.ToString());
        span?.SetTag("admissionguard.relist", Lists != 0);
        var pages = 0;
        do
        {
            pages++;
            var query = $"{collection}?{selector}limit={options.PageSize}" + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            JsonDocument page;
            try
            {
                page = await api.GetJsonAsync(query, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.StatusCode == 404 && Optional)
            {
                if (!Absent)
                {
                    Absent = true;
                    logger.LogInformation("{Resource} is not installed in this cluster: disabled (looking again every {Minutes} minutes)", Path, options.AbsentRecheck.TotalMinutes);
                }

                span?.SetTag("admissionguard.absent", true);
                synced.TrySetResult();
                return false;
            }

            using (page)
            {
                var root = page.RootElement;
                var meta = root.TryGetProperty("metadata", out var m) ? m : default;
                version = Str(meta, "resourceVersion");
                continueToken = Str(meta, "continue") is { Length: > 0 } c ? c : null;
                if (root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    var before = Volatile.Read(ref items);
                    foreach (var item in list.EnumerateArray())
                    {
                        var watched = Decode(WithTypeMeta(item));
                        builder[watched.Key] = watched;
                        // A relist brings back what is cached: only a version not seen before is worth a line.
                        if (!before.TryGetValue(watched.Key, out var known) || known.Meta.ResourceVersion != watched.Meta.ResourceVersion)
                        {
                            ReportInvalid(watched);
                        }
                    }
                }
            }
        }
        while (continueToken is not null);

        if (Absent)
        {
            Absent = false;
            logger.LogInformation("{Resource} is installed now: enabled", Path);
        }

        span?.SetTag("admissionguard.pages", pages);
        span?.SetTag("admissionguard.items", builder.Count);
        Interlocked.Increment(ref lists);
        Volatile.Write(ref items, builder.ToImmutable());
        Volatile.Write(ref resourceVersion, version ?? "0");
        synced.TrySetResult();
        Changed?.Invoke();
        return true;
    }

    /// <returns>Whether the watch delivered at least one line (so it was not a failure to spin on).</returns>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(options.IdleTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var query = $"{collection}?{selector}watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(ResourceVersion!)}&timeoutSeconds={options.WatchTimeoutSeconds}";
        var any = false;
        await foreach (var e in api.WatchAsync(query, linked.Token).ConfigureAwait(false))
        {
            any = true;
            idle.CancelAfter(options.IdleTimeout);
            Apply(e);
        }

        return any;
    }

    private void Apply(WatchEvent e)
    {
        switch (e.Type)
        {
            case "ADDED" or "MODIFIED":
            {
                var watched = Decode(e.Object);
                ImmutableInterlocked.Update(ref items, (d, w) => d.SetItem(w.Key, w), watched);
                Advance(watched.Meta.ResourceVersion);
                ReportInvalid(watched);
                Changed?.Invoke();
                break;
            }

            case "DELETED":
            {
                var meta = Meta(e.Object);
                ImmutableInterlocked.Update(ref items, (d, k) => d.Remove(k), KeyOf(meta));
                Advance(meta.ResourceVersion);
                Changed?.Invoke();
                break;
            }

            case "BOOKMARK":
                // Only the resourceVersion: a resume after a quiet hour need not be a relist.
                Advance(Meta(e.Object).ResourceVersion);
                break;

            case "ERROR":
                var code = e.Object.ValueKind == JsonValueKind.Object && e.Object.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 500;
                var message = Str(e.Object, "message") ?? "watch error";
                throw new KubeApiException(code, $"watch ERROR {code}: {message}");

            default:
                logger.LogDebug("{Resource}: ignoring watch event type {Type}", Path, e.Type);
                break;
        }
    }

    private void Advance(string? version)
    {
        if (!string.IsNullOrEmpty(version))
        {
            Volatile.Write(ref resourceVersion, version);
        }
    }

    /// <summary>
    /// List items may come without kind and apiVersion (the list's kind says what they are, and typed lists of
    /// the API server omit them): give them the collection's, as client-go does, so decoders see whole objects.
    /// </summary>
    private JsonElement WithTypeMeta(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || item.TryGetProperty("kind", out _))
        {
            return item;
        }

        var node = System.Text.Json.Nodes.JsonObject.Create(item)!;
        node["kind"] = Path.Kind;
        node["apiVersion"] = Path.Group.Length == 0 ? Path.Version : $"{Path.Group}/{Path.Version}";
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>One line per version of an object that cannot be used, whether it came by list or by watch.</summary>
    private void ReportInvalid(WatchedObject<T> watched)
    {
        if (watched.Error is not null)
        {
            logger.LogWarning("{Kind} {Key} is invalid and not used: {Field}: {Error}", Path.Kind, watched.Key, watched.ErrorField, watched.Error);
        }
    }

    private WatchedObject<T> Decode(JsonElement element)
    {
        var meta = Meta(element);
        ResourceStatus? status = null;
        try
        {
            if (element.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                status = s.Deserialize(AgJsonContext.Default.ResourceStatus);
            }
        }
        catch (JsonException)
        {
            // Someone else's status shape: ours overwrites it on the next write.
        }

        var value = ObjectDecoder.TryDecode(decode, element, out var error, out var field);
        return new WatchedObject<T>(KeyOf(meta), meta, status, value, error, field);
    }

    private static ObjectMeta Meta(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            try
            {
                return m.Deserialize(AgJsonContext.Default.ObjectMeta) ?? new ObjectMeta();
            }
            catch (JsonException)
            {
                // Fall through to the few fields read by hand.
            }

            return new ObjectMeta { Name = Str(m, "name"), Namespace = Str(m, "namespace"), ResourceVersion = Str(m, "resourceVersion") };
        }

        return new ObjectMeta();
    }

    private static string KeyOf(ObjectMeta meta) => meta.Namespace is { Length: > 0 } ns ? $"{ns}/{meta.Name}" : meta.Name ?? "";

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
