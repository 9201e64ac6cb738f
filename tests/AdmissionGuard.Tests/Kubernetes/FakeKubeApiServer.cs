using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// A Kubernetes API server good enough for the client's real HTTP: list (with limit/continue and
/// metadata.resourceVersion), chunked newline-delimited watch streams replaying history after a
/// resourceVersion (with BOOKMARKs the test pushes), 410 Gone after <see cref="Compact"/>, injected
/// failures, connections aborted mid-stream, get/create/replace with resourceVersion conflicts (409),
/// and merge patches (status subresource) whose bodies are recorded; RBAC denials of single verbs (403).
/// Errors are Status objects worded as the real API server words them. Resources are addressed by their
/// collection path, e.g. <c>/apis/admissionguard.io/v1alpha1/clusterimagepolicies</c>.
/// </summary>
internal sealed class FakeKubeApiServer : IAsyncDisposable
{
    private const string CreationTime = "2026-11-01T00:00:00Z";
    private readonly object gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> store = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> history = [];
    private readonly List<Failure> failures = [];
    private readonly HashSet<(string Verb, string Collection)> forbidden = [];
    private readonly WebApplication app;
    private long version = 100;
    private long compactedThrough;
    private TaskCompletionSource pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource drop = new();

    private FakeKubeApiServer(WebApplication app)
    {
        this.app = app;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Collection paths that answer 404, as when a CRD is not installed.</summary>
    public ConcurrentDictionary<string, bool> Missing { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>
    /// Called with each request once it is recorded and before it is answered, e.g. to let another writer change
    /// an object between a client's read and its write.
    /// </summary>
    public Action<RecordedRequest>? OnRequest { get; set; }

    /// <summary>The user named in RBAC denials.</summary>
    public string User { get; set; } = "system:serviceaccount:ci:scanner";

    /// <summary>Answer an expired resourceVersion with HTTP 410 instead of a watch ERROR event.</summary>
    public bool GoneAsHttpStatus { get; set; }

    public int ActiveWatches => Volatile.Read(ref activeWatches);

    private int activeWatches;

    public static async Task<FakeKubeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeKubeApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Urls.Single());
        return server;
    }

    public k8s.Kubernetes CreateClient() => new(new KubernetesClientConfiguration { Host = BaseUri.ToString() });

    /// <summary>Creates or replaces an object as a user would (metadata.generation moves when spec changes).</summary>
    public JsonObject Apply(string collection, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        lock (gate)
        {
            var items = Items(collection);
            var key = KeyOf(obj);
            var meta = Meta(obj);
            if (items.TryGetValue(key, out var old))
            {
                var oldMeta = Meta(old);
                var generation = oldMeta["generation"]!.GetValue<long>();
                if (!JsonNode.DeepEquals(old["spec"], obj["spec"]))
                {
                    generation++;
                }

                meta["generation"] = generation;
                meta["uid"] = oldMeta["uid"]!.GetValue<string>();
                meta["creationTimestamp"] = oldMeta["creationTimestamp"]!.GetValue<string>();
                obj["status"] ??= old["status"]?.DeepClone();
                Store(collection, key, obj, "MODIFIED");
            }
            else
            {
                meta["generation"] = 1L;
                meta["uid"] = Guid.NewGuid().ToString();
                meta["creationTimestamp"] = CreationTime;
                Store(collection, key, obj, "ADDED");
            }

            return (JsonObject)obj.DeepClone();
        }
    }

    public void Delete(string collection, string key)
    {
        lock (gate)
        {
            if (Items(collection).Remove(key, out var old))
            {
                Meta(old)["resourceVersion"] = (++version).ToString(CultureInfo.InvariantCulture);
                history.Add(new HistoryEntry(version, collection, "DELETED", old.ToJsonString()));
                Pulse();
            }
        }
    }

    public JsonObject? Get(string collection, string key)
    {
        lock (gate)
        {
            return Items(collection).TryGetValue(key, out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>Sends a BOOKMARK to watchers of the collection (it advances the resourceVersion, as in a real cluster).</summary>
    public void Bookmark(string collection)
    {
        lock (gate)
        {
            var rv = ++version;
            history.Add(new HistoryEntry(rv, collection, "BOOKMARK", $$$"""{"kind":"Bookmark","metadata":{"resourceVersion":"{{{rv}}}"}}"""));
            Pulse();
        }
    }

    /// <summary>Aborts every open watch connection mid-stream (no clean end of the chunked body).</summary>
    public void DropWatches()
    {
        CancellationTokenSource old;
        lock (gate)
        {
            old = drop;
            drop = new CancellationTokenSource();
        }

        // Not disposed: a watch starting at this moment may still link to its token.
        old.Cancel();
    }

    /// <summary>Forgets all history so far: a watch from an older resourceVersion gets 410 Gone.</summary>
    public void Compact()
    {
        lock (gate)
        {
            compactedThrough = version;
            history.Clear();
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests matching method and path fragment answer <paramref name="status"/>,
    /// with the Status reason the API server gives that code and <paramref name="message"/> (default "injected N").
    /// </summary>
    public void FailNext(string method, string pathContains, int status, int count = 1, string? message = null)
    {
        lock (gate)
        {
            failures.Add(new Failure(method, pathContains, status, count, message));
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests matching method and path fragment get this raw answer, e.g. a
    /// proxy's HTML page with status 200 where JSON was expected.
    /// </summary>
    public void AnswerNext(string method, string pathContains, int status, string body, int count = 1)
    {
        lock (gate)
        {
            failures.Add(new Failure(method, pathContains, status, count, null) { RawBody = body });
        }
    }

    /// <summary>Drops every injected failure and raw answer still pending.</summary>
    public void ClearFailures()
    {
        lock (gate)
        {
            failures.Clear();
        }
    }

    /// <summary>RBAC denies <paramref name="verb"/> (get, list, watch, create, update, patch) on the collection: 403 Forbidden.</summary>
    public void Forbid(string verb, string collection)
    {
        lock (gate)
        {
            forbidden.Add((verb, collection));
        }
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string pathContains) =>
        [.. Requests.Where(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = "";
        if (request.ContentLength is > 0 || request.Method is "POST" or "PUT" or "PATCH")
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }

        var query = request.Query;
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", body, request.ContentType);
        Requests.Enqueue(recorded);
        OnRequest?.Invoke(recorded);
        if (!TryRoute(request.Path.Value ?? "", out var route))
        {
            await Status(context, 404, "NotFound", "no such path");
            return;
        }

        // The API server authorizes before it looks for the resource, so a denial comes first.
        var verb = VerbOf(request.Method, route, query["watch"] == "true" || query["watch"] == "1");
        bool denied;
        lock (gate)
        {
            denied = forbidden.Contains((verb, route.Collection));
        }

        if (denied)
        {
            var (group, plural) = Resource(route.Collection);
            var subject = route.Name is null ? ResourceText(route.Collection) : $"{ResourceText(route.Collection)} \"{route.Name}\"";
            var scope = route.Namespace is null ? "at the cluster scope" : $"in the namespace \"{route.Namespace}\"";
            await Status(context, 403, "Forbidden",
                $"{subject} is forbidden: User \"{User}\" cannot {verb} resource \"{plural}\" in API group \"{group}\" {scope}",
                Details(route));
            return;
        }

        if (Missing.ContainsKey(route.Collection))
        {
            await Status(context, 404, "NotFound", "the server could not find the requested resource", new JsonObject());
            return;
        }

        var failed = TakeFailure(request.Method, request.Path.Value ?? "");
        if (failed is { RawBody: { } raw })
        {
            context.Response.StatusCode = failed.Status;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(raw);
            return;
        }

        if (failed is not null)
        {
            await Status(context, failed.Status, ReasonOf(failed.Status), failed.Message ?? $"injected {failed.Status}");
            return;
        }

        switch (request.Method)
        {
            case "GET" when route.Name is null && (query["watch"] == "true" || query["watch"] == "1"):
                await WatchAsync(context, route);
                break;
            case "GET" when route.Name is null:
                await ListAsync(context, route);
                break;
            case "GET":
                await Respond(context, route, Get(route.Collection, route.Key) is { } found ? found : null);
                break;
            case "POST" when route.Name is null:
                await CreateAsync(context, route, body);
                break;
            case "PUT" when route.Name is not null:
                await ReplaceAsync(context, route, body);
                break;
            case "PATCH" when route.Name is not null:
                await PatchAsync(context, route, body, strategic: request.ContentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal) == true);
                break;
            default:
                await Status(context, 405, "MethodNotAllowed", request.Method);
                break;
        }
    }

    private async Task ListAsync(HttpContext context, Route route)
    {
        var limit = int.TryParse(context.Request.Query["limit"], out var l) && l > 0 ? l : int.MaxValue;
        var offset = int.TryParse(context.Request.Query["continue"], out var c) ? c : 0;
        string text;
        lock (gate)
        {
            var all = Items(route.Collection).Values.Where(o => route.Namespace is null || Meta(o)["namespace"]?.GetValue<string>() == route.Namespace)
                .Where(o => FieldsSelected(context, o)).ToList();
            var page = all.Skip(offset).Take(limit).Select(o => o.DeepClone()).ToArray();
            var meta = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) };
            if (offset + page.Length < all.Count)
            {
                meta["continue"] = (offset + page.Length).ToString(CultureInfo.InvariantCulture);
            }

            text = new JsonObject { ["kind"] = "List", ["apiVersion"] = "v1", ["metadata"] = meta, ["items"] = new JsonArray(page) }.ToJsonString();
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(text);
    }

    private async Task WatchAsync(HttpContext context, Route route)
    {
        var from = long.TryParse(context.Request.Query["resourceVersion"], out var rv) ? rv : version;
        CancellationToken dropped;
        lock (gate)
        {
            dropped = drop.Token;
            if (from < compactedThrough && GoneAsHttpStatus)
            {
                from = -1;
            }
        }

        if (from == -1)
        {
            await Status(context, 410, "Expired", "too old resource version");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        Interlocked.Increment(ref activeWatches);
        try
        {
            if (from < Volatile.Read(ref compactedThrough))
            {
                await context.Response.WriteAsync("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}""" + "\n");
                return;
            }

            var sent = from;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(dropped, context.RequestAborted);
            while (true)
            {
                List<HistoryEntry> pending;
                Task wake;
                lock (gate)
                {
                    pending = [.. history.Where(h => h.Version > sent && h.Collection == route.Collection
                        && (h.Type == "BOOKMARK" || ((route.Namespace is null || h.Object.Contains($"\"namespace\":\"{route.Namespace}\"", StringComparison.Ordinal))
                            && FieldsSelected(context, JsonNode.Parse(h.Object)!.AsObject()))))];
                    wake = pulse.Task;
                }

                foreach (var entry in pending)
                {
                    await context.Response.WriteAsync($"{{\"type\":\"{entry.Type}\",\"object\":{entry.Object}}}\n", stop.Token);
                    sent = entry.Version;
                }

                await context.Response.Body.FlushAsync(stop.Token);
                await wake.WaitAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (dropped.IsCancellationRequested)
        {
            context.Abort();
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref activeWatches);
        }
    }

    private async Task CreateAsync(HttpContext context, Route route, string body)
    {
        var obj = JsonNode.Parse(body)!.AsObject();
        var meta = Meta(obj);
        if (route.Namespace is not null)
        {
            meta["namespace"] = route.Namespace;
        }

        JsonObject? created = null;
        var key = KeyOf(obj);
        lock (gate)
        {
            if (!Items(route.Collection).ContainsKey(key))
            {
                meta["generation"] = 1L;
                meta["uid"] = Guid.NewGuid().ToString();
                meta["creationTimestamp"] = CreationTime;
                Store(route.Collection, key, obj, "ADDED");
                created = (JsonObject)obj.DeepClone();
            }
        }

        if (created is null)
        {
            var name = Meta(obj)["name"]!.GetValue<string>();
            await Status(context, 409, "AlreadyExists", $"{ResourceText(route.Collection)} \"{name}\" already exists", Details(route with { Name = name }));
            return;
        }

        context.Response.StatusCode = 201;
        await Respond(context, route, created);
    }

    private async Task ReplaceAsync(HttpContext context, Route route, string body)
    {
        var obj = JsonNode.Parse(body)!.AsObject();
        JsonObject? result = null;
        var conflict = false;
        lock (gate)
        {
            if (Items(route.Collection).TryGetValue(route.Key, out var old))
            {
                var expected = Meta(obj)["resourceVersion"]?.GetValue<string>();
                if (expected is not null && expected != Meta(old)["resourceVersion"]!.GetValue<string>())
                {
                    conflict = true;
                }
                else
                {
                    var next = route.Subresource == "status" ? (JsonObject)old.DeepClone() : obj;
                    if (route.Subresource == "status")
                    {
                        next["status"] = obj["status"]?.DeepClone();
                    }
                    else
                    {
                        KeepServerFields(old, next);
                    }

                    Store(route.Collection, route.Key, next, "MODIFIED");
                    result = (JsonObject)next.DeepClone();
                }
            }
        }

        if (conflict)
        {
            await Status(context, 409, "Conflict",
                $"Operation cannot be fulfilled on {ResourceText(route.Collection)} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again",
                Details(route));
            return;
        }

        await Respond(context, route, result);
    }

    private async Task PatchAsync(HttpContext context, Route route, string body, bool strategic)
    {
        var patch = JsonNode.Parse(body)!.AsObject();
        JsonObject? result = null;
        var conflict = false;
        lock (gate)
        {
            // A resourceVersion in the patch is a precondition, as in a PUT.
            var expected = patch["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (Items(route.Collection).TryGetValue(route.Key, out var old) && expected is not null && expected != Meta(old)["resourceVersion"]!.GetValue<string>())
            {
                conflict = true;
            }
            else if (old is not null)
            {
                var next = (JsonObject)old.DeepClone();
                if (route.Subresource == "status")
                {
                    next["status"] = Merge(next["status"]?.DeepClone(), patch["status"]);
                }
                else
                {
                    next = (JsonObject)Merge(next, patch, strategic)!;
                    KeepServerFields(old, next);
                }

                Store(route.Collection, route.Key, next, "MODIFIED");
                result = (JsonObject)next.DeepClone();
            }
        }

        if (conflict)
        {
            await Conflict(context, route);
            return;
        }

        await Respond(context, route, result);
    }

    private static Task Conflict(HttpContext context, Route route) =>
        Status(context, 409, "Conflict",
            $"Operation cannot be fulfilled on {ResourceText(route.Collection)} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(route));

    private static void KeepServerFields(JsonObject old, JsonObject next)
    {
        var oldMeta = Meta(old);
        var meta = Meta(next);
        var generation = oldMeta["generation"]?.GetValue<long>() ?? 1;
        meta["generation"] = JsonNode.DeepEquals(old["spec"], next["spec"]) ? generation : generation + 1;
        meta["uid"] = oldMeta["uid"]?.DeepClone();
        meta["creationTimestamp"] = oldMeta["creationTimestamp"]?.DeepClone();
    }

    /// <summary>
    /// RFC 7386 JSON merge patch; with <paramref name="strategic"/>, lists of objects merge by <c>name</c>
    /// (the patchMergeKey of webhooks, containers and most lists a strategic merge patch touches).
    /// </summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic = false)
    {
        if (strategic && patch is JsonArray patchList && target is JsonArray targetList && patchList.All(p => p is JsonObject o && o["name"] is not null))
        {
            var merged = (JsonArray)targetList.DeepClone();
            foreach (var item in patchList.Cast<JsonObject>())
            {
                var name = item["name"]!.GetValue<string>();
                var index = -1;
                for (var i = 0; i < merged.Count && index < 0; i++)
                {
                    index = merged[i] is JsonObject o && o["name"]?.GetValue<string>() == name ? i : -1;
                }

                if (index < 0)
                {
                    merged.Add(item.DeepClone());
                }
                else
                {
                    merged[index] = Merge(merged[index]!.DeepClone(), item, strategic);
                }
            }

            return merged;
        }

        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = Merge(result[name]?.DeepClone(), value, strategic);
                result[name] = merged;
            }
        }

        return result;
    }

    private void Store(string collection, string key, JsonObject obj, string type, string manager = "kubectl-client-side-apply", string? subresource = null)
    {
        ManagedFields.Record(obj, manager, subresource, CreationTime);
        Meta(obj)["resourceVersion"] = (++version).ToString(CultureInfo.InvariantCulture);
        Items(collection)[key] = obj;
        history.Add(new HistoryEntry(version, collection, type, obj.ToJsonString()));
        Pulse();
    }

    private void Pulse()
    {
        var old = pulse;
        pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    private Failure? TakeFailure(string method, string path)
    {
        lock (gate)
        {
            var failure = failures.FirstOrDefault(f => f.Method == method && path.Contains(f.PathContains, StringComparison.Ordinal));
            if (failure is null)
            {
                return null;
            }

            failure.Count--;
            if (failure.Count <= 0)
            {
                failures.Remove(failure);
            }

            return failure;
        }
    }

    private SortedDictionary<string, JsonObject> Items(string collection)
    {
        if (!store.TryGetValue(collection, out var items))
        {
            store[collection] = items = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        return items;
    }

    /// <summary>
    /// Field selectors as the API server reads them: comma-separated <c>field=value</c> clauses, all of which must hold.
    /// The fields every kind has (<c>metadata.name</c>, <c>metadata.namespace</c>) and a Secret's <c>type</c>.
    /// </summary>
    private static bool FieldsSelected(HttpContext context, JsonObject obj)
    {
        var selector = context.Request.Query["fieldSelector"].ToString();
        foreach (var clause in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (field, value) = clause.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (clause[..eq], clause[(eq + 1)..]) : (clause, "");
            var actual = field switch
            {
                "metadata.name" => Meta(obj)["name"]?.GetValue<string>(),
                "metadata.namespace" => Meta(obj)["namespace"]?.GetValue<string>(),
                "type" => obj["type"]?.GetValue<string>(),
                _ => throw new InvalidOperationException($"the fake API server does not select on field \"{field}\""),
            };
            if (actual != value)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject Meta(JsonObject obj) => obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

    private static string KeyOf(JsonObject obj)
    {
        var meta = Meta(obj);
        var ns = meta["namespace"]?.GetValue<string>();
        var name = meta["name"]!.GetValue<string>();
        return ns is { Length: > 0 } ? $"{ns}/{name}" : name;
    }

    private static bool TryRoute(string path, out Route route)
    {
        route = default;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string prefix;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            prefix = $"/api/{segments[1]}";
            rest = segments[2..];
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            prefix = $"/apis/{segments[1]}/{segments[2]}";
            rest = segments[3..];
        }
        else
        {
            return false;
        }

        rest = [.. rest.Select(Uri.UnescapeDataString)];
        route = rest.Length >= 3 && rest[0] == "namespaces"
            ? new Route($"{prefix}/{rest[2]}", rest[1], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4))
            : new Route($"{prefix}/{rest[0]}", null, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
        return true;
    }

    private static async Task Respond(HttpContext context, Route route, JsonObject? obj)
    {
        if (obj is null)
        {
            await Status(context, 404, "NotFound", $"{ResourceText(route.Collection)} \"{route.Name}\" not found", Details(route));
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(obj.ToJsonString());
    }

    private static async Task Status(HttpContext context, int code, string reason, string message, JsonObject? details = null)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        await context.Response.WriteAsync(JsonSerializer.Serialize(status));
    }

    /// <summary>The RBAC verb of a request, as the API server's request-info resolver names it.</summary>
    private static string VerbOf(string method, Route route, bool watch) => method switch
    {
        "GET" when route.Name is null => watch ? "watch" : "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => route.Name is null ? "deletecollection" : "delete",
        _ => method.ToLowerInvariant(),
    };

    /// <summary>The Status reason the API server gives each code (k8s.io/apimachinery/pkg/api/errors).</summary>
    private static string ReasonOf(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "InternalError",
    };

    /// <summary>Group and plural of a collection path: <c>/apis/g/v/plural</c> or <c>/api/v1/plural</c>.</summary>
    private static (string Group, string Plural) Resource(string collection)
    {
        var segments = collection.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments[0] == "api" ? ("", segments[^1]) : (segments[1], segments[^1]);
    }

    /// <summary>How messages name a resource: <c>imagescans.admissionguard.io</c>, or <c>secrets</c> in the core group.</summary>
    private static string ResourceText(string collection)
    {
        var (group, plural) = Resource(collection);
        return group.Length == 0 ? plural : $"{plural}.{group}";
    }

    private static JsonObject Details(Route route)
    {
        var (group, plural) = Resource(route.Collection);
        var details = new JsonObject();
        if (route.Name is not null)
        {
            details["name"] = route.Name;
        }

        details["group"] = group;
        details["kind"] = plural;
        return details;
    }

    private readonly record struct Route(string Collection, string? Namespace, string? Name, string? Subresource)
    {
        public string Key => Namespace is null ? Name! : $"{Namespace}/{Name}";
    }

    private sealed record HistoryEntry(long Version, string Collection, string Type, string Object);

    private sealed class Failure(string method, string pathContains, int status, int count, string? message)
    {
        public string? Message { get; } = message;

        public string Method { get; } = method;

        public string PathContains { get; } = pathContains;

        public int Status { get; } = status;

        public int Count { get; set; } = count;

        public string? RawBody { get; init; }
    }
}
