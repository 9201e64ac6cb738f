using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// An in-test Kubernetes API server that behaves as the API conventions say a real kube-apiserver does, not as
/// our client happens to expect. Resources are addressed by collection path (<c>/apis/g/v/plural</c>,
/// <c>/api/v1/plural</c>); any path works, so other loops (audit, reports) use it the same way. Each behaviour
/// names the test that covers it (FakeKubeApiServerTests unless said otherwise):
/// <list type="bullet">
/// <item>HTTPS with its own CA, and a bearer token from the kubeconfig; without it 401 Unauthorized
///   (<c>Request_WithoutBearerToken_Unauthorized</c>; every cluster-mode test connects this way).</item>
/// <item><c>metadata.managedFields</c> (free-form <c>fieldsV1</c>), <c>uid</c>, <c>resourceVersion</c>,
///   <c>creationTimestamp</c> and <c>generation</c> on every object; client-sent managedFields are ignored
///   (<c>Create_AnyObject_ServerFieldsAndManagedFieldsSet</c>,
///   LeaseLeaderElectorTests.<c>Run_LeaseCarriesManagedFields_RenewsWithoutSendingThemBack</c>).</item>
/// <item>Lists are <c>&lt;Kind&gt;List</c> whose items carry no kind/apiVersion (stricter than a CRD's list), paged
///   with <c>limit</c>/<c>continue</c> over the snapshot of the first page
///   (<c>List_PagedWithLimit_KindListItemsWithoutKindFromOneSnapshot</c>); a continue token from before a
///   compaction is 410 Expired (<c>List_ContinueTokenAfterCompaction_Gone</c>).</item>
/// <item>Watches: synthetic ADDED events for the current state when asked without a resourceVersion or with "0",
///   an end of stream at <c>timeoutSeconds</c> (<c>Watch_WithoutResourceVersion_SyntheticAddedThenChanges_EndsAtTimeoutSeconds</c>);
///   ended by the server at random after 5-15 s (<see cref="WatchLifetime"/>; every watcher test survives it);
///   BOOKMARKs only with <c>allowWatchBookmarks</c>, DELETED when an object leaves a label or field selector and
///   ADDED when it enters (<c>Watch_LabelSelector_DeletedWhenObjectLeavesAddedWhenItEnters_BookmarksOnlyWhenAllowed</c>);
///   an ERROR event with a 410 Status for a compacted resourceVersion (<c>Watch_TooOldResourceVersion_ErrorEventWithGoneStatus</c>),
///   or HTTP 410 with <see cref="GoneAsHttpStatus"/> (ResourceWatcherTests).</item>
/// <item>409 Conflict, worded as the server words it, on a stale resourceVersion in a PUT and in a patch
///   (<c>Write_StaleResourceVersion_Conflict</c>).</item>
/// <item>Our CRDs' status subresource: a write to /status ignores everything but status and keeps generation; a
///   write to the object ignores status; generation moves on spec changes only
///   (<c>StatusWrite_SpecInBodyIgnoredAndGenerationKept_SpecWriteKeepsStatus</c>).</item>
/// <item>A write that changes nothing keeps the resourceVersion and sends no event (<c>Write_ChangesNothing_ResourceVersionUnchangedAndNoEvent</c>).</item>
/// <item>The chart's CRD schemas (<see cref="CrdSchema"/>, read from charts/admission-guard/crds) on every write of our
///   kinds, in a POST, PUT, patch or <see cref="Apply"/>: unknown fields pruned with the <c>unknown field "spec.x"</c>
///   Warning header (<c>fieldValidation=Strict</c>: 400 <c>strict decoding error</c>; <see cref="Apply"/> is kubectl
///   apply, strict by default, and throws), defaults filled in, and 422 Invalid with one cause per field error, worded as
///   apimachinery's <c>field.Error</c> (pkg/util/validation/field/errors.go: <c>Unsupported value: "X": supported values:
///   "Enforce", "Warn", "Audit"</c>, <c>Required value</c>, <c>Too long: may not be more than N bytes</c>, <c>Too many: N:
///   must have at most M items</c>), kube-openapi's messages (pkg/validation/errors/schema.go: <c>... in body should
///   match '...'</c>, <c>... in body must be of type array: "string"</c>), apiextensions' <c>kubeOpenAPIResultToFieldErrors</c>
///   and the strategy's <c>hasBlockingErr</c> (CEL rules skipped after a type, enum, required, maxLength or maxItems
///   error), with the message <c>&lt;Kind&gt;.&lt;group&gt; "&lt;name&gt;" is invalid: </c> and the errors aggregated
///   (CrdSchemaTests: <c>Admit_*</c> on the component, <c>FakeServer_*</c> through HTTP). x-kubernetes-validations run
///   with the Cel package; not modelled are listed in <see cref="CrdSchema"/>.</item>
/// <item>RBAC from the chart (<see cref="Rbac"/>, <see cref="ChartRbac"/>: the ClusterRole and Role of a real
///   <c>helm template</c> bound to the chart's service account, resourceNames and field-selector names honoured), 403
///   with the authorizer's wording <c>&lt;resource&gt;.&lt;group&gt; "&lt;name&gt;" is forbidden: User
///   "system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;" cannot &lt;verb&gt; resource "&lt;resource&gt;" in API group "&lt;group&gt;"
///   in the namespace "&lt;ns&gt;"</c>, each denial kept in <see cref="Denials"/>
///   (ChartRbacTests.<c>Request_OutsideTheChartsRules_ForbiddenWithTheAuthorizersWording</c>; run as the chart's service
///   account with the Deployment's own <c>--namespace</c> and <c>--leader-election-lease</c>, asserting no denial:
///   AuditServeTests (serve with watches, leader, status writes, audit and PolicyReports), ClusterModeTests (policies and
///   Lease; self-managed certificates), SupervisionTests (the leader loop failing and restarting), WorkloadPullSecretTests
///   (with <c>registry.workloadPullSecrets</c>), SecretKeyTests (with <c>signatures.keySecrets</c>), PrometheusCheckTests
///   (serve, audit and Prometheus)); single verbs a
///   test forbids (<see cref="Forbid"/>; <c>Request_VerbNotGranted_ForbiddenWithTheApiServersWording</c>, ScanImportApplyTests,
///   BackgroundAuditTests).</item>
/// <item>Injected failures (<see cref="FailNext"/>), raw non-JSON answers (<see cref="AnswerNext"/>,
///   SupervisionTests), absent CRDs (<see cref="Missing"/>), connections dropped mid-stream (<see cref="DropWatches"/>).</item>
/// </list>
/// Not modelled: server-side apply, protobuf, HTTP/2 watch multiplexing, API priority and fairness (429), ObjectMeta
/// validation, list-map key uniqueness, CEL cost limits, the PolicyReport CRD's schema (a chart template, not in crds/).
/// Tests that still run without chart RBAC use names of their own (LeaseLeaderElectorTests, ClusterPolicySourceTests,
/// ResourceWatcherTests, SelfManagedCertificatesTests, FailClosedWhenReadyTests), or another identity
/// than the chart's (ScanImportApplyTests, ReportCommandTests).
/// </summary>
internal sealed class FakeKubeApiServer : IAsyncDisposable
{
    private const string CreationTime = "2026-11-01T00:00:00Z";
    private readonly object gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> store = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> history = [];
    private readonly Dictionary<long, List<JsonObject>> snapshots = [];
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

    /// <summary>The message of every 403 this server gave, so a test can show what RBAC refused.</summary>
    public ConcurrentQueue<string> Denials { get; } = new();

    /// <summary>
    /// Called with each request once it is recorded and before it is answered, e.g. to let another writer change
    /// an object between a client's read and its write.
    /// </summary>
    public Action<RecordedRequest>? OnRequest { get; set; }

    /// <summary>The user named in RBAC denials: the chart's service account when <see cref="Rbac"/> is set.</summary>
    public string User { get => Rbac?.User ?? user; set => user = value; }

    private string user = "system:serviceaccount:ci:scanner";

    /// <summary>
    /// Authorize every request as the chart's service account: anything its rendered ClusterRole and Role do not
    /// grant is 403 Forbidden. Unset, every verb is allowed but those <see cref="Forbid"/> names.
    /// </summary>
    public ChartRbac? Rbac { get; set; }

    /// <summary>Answer an expired resourceVersion with HTTP 410 instead of a watch ERROR event.</summary>
    public bool GoneAsHttpStatus { get; set; }

    public int ActiveWatches => Volatile.Read(ref activeWatches);

    /// <summary>How long the server keeps a watch open before it ends it; by default at random between 5 and 15 seconds.</summary>
#pragma warning disable CA5394 // jitter, not security
    public Func<TimeSpan> WatchLifetime { get; set; } = () => TimeSpan.FromSeconds(5 + (Random.Shared.NextDouble() * 10));
#pragma warning restore CA5394

    private int activeWatches;

    /// <summary>The bearer token every request must carry (401 Unauthorized without it), as a kubeconfig's user gives it.</summary>
    public const string Token = "test-token";

    /// <summary>The CA that signed the server's certificate (what a kubeconfig's certificate-authority-data holds).</summary>
    public X509Certificate2 Ca { get; private set; } = null!;

    private SelfSignedCertificateAuthority authority = null!;
    private X509Certificate2 serving = null!;

    public static async Task<FakeKubeApiServer> StartAsync()
    {
        var authority = SelfSignedCertificateAuthority.Create(commonName: "fake kube-apiserver CA");
        var serving = authority.IssueServingCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serving)));
        var app = builder.Build();
        var server = new FakeKubeApiServer(app) { authority = authority, serving = serving, Ca = authority.Certificate };
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Urls.Single().Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        return server;
    }

    /// <summary>What a kubeconfig for this server gives the client: the URL, the CA to trust, the bearer token.</summary>
    public KubernetesClientConfiguration Configuration() => new()
    {
        Host = BaseUri.ToString(),
        AccessToken = Token,
        SslCaCerts = [X509CertificateLoader.LoadCertificate(Ca.RawData)],
    };

    public k8s.Kubernetes CreateClient() => new(Configuration());

    /// <summary>A kubeconfig file for <c>--kubeconfig</c>: this server, its CA as certificate-authority-data, the bearer token.</summary>
    public string WriteKubeconfig() => TestKubeconfig.Write(BaseUri.ToString(), Ca.ExportCertificatePem(), Token);

    /// <summary>Creates or replaces an object as a user would (metadata.generation moves when spec changes).</summary>
    public JsonObject Apply(string collection, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        if (SchemaOf(collection) is { } schema && schema.Admit(obj) is var outcome && (!outcome.Valid || outcome.Pruned.Count > 0))
        {
            // A user's write the CRD schema rejects never gets stored, and kubectl apply validates strictly by default
            // (an unknown field is an error, not a silent prune): a test that seeds either must see why.
            throw new InvalidOperationException(outcome.Valid
                ? StrictDecodingError(schema, outcome)
                : FieldError.InvalidMessage(schema.Kind, schema.Group, (string?)obj["metadata"]?["name"] ?? "", outcome.Errors));
        }

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
                obj = Store(collection, key, obj, "MODIFIED");
            }
            else
            {
                meta["generation"] = 1L;
                meta["uid"] = Guid.NewGuid().ToString();
                meta["creationTimestamp"] = CreationTime;
                obj = Store(collection, key, obj, "ADDED");
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
            snapshots.Clear();
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
        serving.Dispose();
        authority.Dispose();
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
        // Authentication comes before everything, as in the API server: no or a wrong token is 401.
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            await Status(context, 401, "Unauthorized", "Unauthorized");
            return;
        }

        if (!TryRoute(request.Path.Value ?? "", out var route))
        {
            await Status(context, 404, "NotFound", "no such path");
            return;
        }

        // The API server authorizes before it looks for the resource, so a denial comes first.
        var verb = VerbOf(request.Method, route, query["watch"] == "true" || query["watch"] == "1");
        // A list or watch narrowed to one name by field selector is authorized as a request for that name.
        var name = route.Name ?? (verb is "list" or "watch" ? SelectedName(query["fieldSelector"].ToString()) : null);
        var (group, plural) = Resource(route.Collection);
        var resource = route.Subresource is null ? plural : $"{plural}/{route.Subresource}";
        bool denied;
        lock (gate)
        {
            denied = forbidden.Contains((verb, route.Collection)) || (Rbac is { } rbac && !rbac.Allows(verb, group, resource, route.Namespace, name));
        }

        if (denied)
        {
            var subject = name is null ? ResourceText(route.Collection) : $"{ResourceText(route.Collection)} \"{name}\"";
            var scope = route.Namespace is null ? "at the cluster scope" : $"in the namespace \"{route.Namespace}\"";
            var message = $"{subject} is forbidden: User \"{User}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}";
            Denials.Enqueue(message);
            await Status(context, 403, "Forbidden", message, Details(route with { Name = name }));
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
            case "DELETE" when route.Name is not null:
                await DeleteAsync(context, route);
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
        var token = context.Request.Query["continue"].ToString();
        string? text = null;
        lock (gate)
        {
            // Every page of one list comes from the snapshot the first page saw, as etcd serves it at that revision.
            long at;
            int offset;
            List<JsonObject> all;
            if (token.Length == 0)
            {
                at = version;
                offset = 0;
                all = [.. Items(route.Collection).Values.Where(o => route.Namespace is null || Meta(o)["namespace"]?.GetValue<string>() == route.Namespace)
                    .Where(o => FieldsSelected(context, o) && LabelsSelected(context, o)).Select(o => (JsonObject)o.DeepClone())];
                snapshots[at] = all;
            }
            else if (ParseContinue(token) is var (rv, start) && snapshots.TryGetValue(rv, out var snapshot) && rv > compactedThrough)
            {
                at = rv;
                offset = start;
                all = snapshot;
            }
            else
            {
                all = [];
                at = -1;
                offset = 0;
            }

            if (at >= 0)
            {
                var page = all.Skip(offset).Take(limit).Select(o =>
                {
                    // List items carry no kind or apiVersion: the list's kind says what they are.
                    var item = (JsonObject)o.DeepClone();
                    item.Remove("kind");
                    item.Remove("apiVersion");
                    return (JsonNode)item;
                }).ToArray();
                var meta = new JsonObject { ["resourceVersion"] = at.ToString(CultureInfo.InvariantCulture) };
                if (offset + page.Length < all.Count)
                {
                    meta["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at}:{offset + page.Length}"));
                    meta["remainingItemCount"] = all.Count - offset - page.Length;
                }

                var (group, _) = Resource(route.Collection);
                var groupVersion = route.Collection.Split('/', StringSplitOptions.RemoveEmptyEntries) is var parts && parts[0] == "api" ? parts[1] : $"{parts[1]}/{parts[2]}";
                text = new JsonObject { ["kind"] = KindOf(route.Collection) + "List", ["apiVersion"] = group.Length == 0 ? groupVersion : groupVersion, ["metadata"] = meta, ["items"] = new JsonArray(page) }.ToJsonString();
            }
        }

        if (text is null)
        {
            await Status(context, 410, "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(text);
    }

    private static (long Version, int Offset)? ParseContinue(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && long.TryParse(text[..colon], CultureInfo.InvariantCulture, out var v) && int.TryParse(text[(colon + 1)..], CultureInfo.InvariantCulture, out var o) ? (v, o) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The kind of a collection's objects: from what it stores, else from the plural.</summary>
    private string KindOf(string collection)
    {
        if (Items(collection).Values.Select(o => o["kind"]?.GetValue<string>()).FirstOrDefault(k => k is not null) is { } stored)
        {
            return stored;
        }

        var plural = Resource(collection).Plural;
        var known = new[] { "HardenedImageSource", "ClusterImagePolicy", "ImagePolicy", "ImageScan", "Secret", "ServiceAccount", "Namespace", "Lease",
            "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "VulnerabilityReport", "ClusterVulnerabilityReport", "PolicyReport", "Pod" };
        return known.FirstOrDefault(k => Plural(k) == plural) ?? plural;
    }

    private static string Plural(string kind) => kind.EndsWith('y') ? kind[..^1].ToLowerInvariant() + "ies" : kind.ToLowerInvariant() + "s";

    /// <summary>Equality label selectors (<c>a=b,c!=d,e</c>), what the API server's labelSelector parameter reads.</summary>
    private static bool LabelsSelected(HttpContext context, JsonObject obj)
    {
        var selector = context.Request.Query["labelSelector"].ToString();
        var labels = Meta(obj)["labels"] as JsonObject;
        foreach (var clause in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var not = clause.Contains("!=", StringComparison.Ordinal);
            var parts = clause.Split(not ? "!=" : "=", 2);
            var actual = labels?[parts[0].Trim()]?.GetValue<string>();
            var holds = parts.Length == 1 ? actual is not null : not ? actual != parts[1].Trim() : actual == parts[1].Trim().TrimStart('=');
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    private async Task WatchAsync(HttpContext context, Route route)
    {
        var query = context.Request.Query;
        var requested = query["resourceVersion"].ToString();

        // No resourceVersion, or "0": the current state first, as synthetic ADDED events, then the changes.
        var fromNow = requested.Length == 0 || requested == "0";
        var from = fromNow ? -2 : long.TryParse(requested, CultureInfo.InvariantCulture, out var rv) ? rv : -3;
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var t) && t > 0 ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
        CancellationToken dropped;
        List<string> initial = [];
        lock (gate)
        {
            dropped = drop.Token;
            if (from == -3)
            {
                from = -4;
            }
            else if (fromNow)
            {
                from = version;
                initial = [.. Items(route.Collection).Values.Where(o => Selected(context, route, o)).Select(o => o.ToJsonString())];
            }
            else if (from < compactedThrough && GoneAsHttpStatus)
            {
                from = -1;
            }
        }

        if (from == -4)
        {
            await Status(context, 400, "BadRequest", $"invalid resource version: \"{requested}\"");
            return;
        }

        if (from == -1)
        {
            await Status(context, 410, "Expired", "too old resource version");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        Interlocked.Increment(ref activeWatches);

        // The server ends a watch when its timeoutSeconds is up, and at random well before that (load balancing,
        // apiserver restarts): a client must resume from the last resourceVersion it saw.
        using var ended = new CancellationTokenSource(timeout is { } requestedTimeout && requestedTimeout < WatchLifetime() ? requestedTimeout : WatchLifetime());
        try
        {
            if (from < Volatile.Read(ref compactedThrough))
            {
                await context.Response.WriteAsync("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}}""" + "\n");
                return;
            }

            var sent = from;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(dropped, context.RequestAborted, ended.Token);
            foreach (var obj in initial)
            {
                await context.Response.WriteAsync($"{{\"type\":\"ADDED\",\"object\":{obj}}}\n", stop.Token);
            }

            while (true)
            {
                List<(string Type, string Object, long Version)> pending = [];
                Task wake;
                lock (gate)
                {
                    foreach (var h in history.Where(h => h.Version > sent && h.Collection == route.Collection))
                    {
                        if (h.Type == "BOOKMARK")
                        {
                            if (bookmarks)
                            {
                                pending.Add((h.Type, h.Object, h.Version));
                            }

                            continue;
                        }

                        // An object that starts or stops matching the selectors is ADDED or DELETED for this watch.
                        var now = Selected(context, route, JsonNode.Parse(h.Object)!.AsObject());
                        var before = h.Previous is not null && Selected(context, route, JsonNode.Parse(h.Previous)!.AsObject());
                        var type = h.Type switch
                        {
                            "MODIFIED" when now && !before => "ADDED",
                            "MODIFIED" when !now && before => "DELETED",
                            "MODIFIED" when !now => null,
                            _ when !now => null,
                            _ => h.Type,
                        };
                        if (type is not null)
                        {
                            pending.Add((type, h.Object, h.Version));
                        }
                    }

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
            // Timed out (a clean end of the stream), or the client went away.
        }
        finally
        {
            Interlocked.Decrement(ref activeWatches);
        }
    }

    private static bool Selected(HttpContext context, Route route, JsonObject obj) =>
        (route.Namespace is null || Meta(obj)["namespace"]?.GetValue<string>() == route.Namespace) && FieldsSelected(context, obj) && LabelsSelected(context, obj);

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
        if (await RejectedBySchemaAsync(context, route, obj, (string?)meta["name"]))
        {
            return;
        }

        lock (gate)
        {
            if (!Items(route.Collection).ContainsKey(key))
            {
                meta["generation"] = 1L;
                meta["uid"] = Guid.NewGuid().ToString();
                meta["creationTimestamp"] = CreationTime;
                if (HasStatusSubresource(route.Collection))
                {
                    obj.Remove("status");
                }

                created = (JsonObject)Store(route.Collection, key, obj, "ADDED", Manager(context)).DeepClone();
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
        SchemaOutcome? outcome = null;
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
                        KeepServerFields(route.Collection, old, next);
                    }

                    outcome = SchemaOf(route.Collection)?.Admit(next);
                    if (outcome is not { Valid: false })
                    {
                        result = (JsonObject)Store(route.Collection, route.Key, next, "MODIFIED", Manager(context), route.Subresource).DeepClone();
                    }
                }
            }
        }

        if (await InvalidAsync(context, route, outcome))
        {
            return;
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

    private async Task DeleteAsync(HttpContext context, Route route)
    {
        var existed = Get(route.Collection, route.Key) is not null;
        Delete(route.Collection, route.Key);
        if (!existed)
        {
            await Respond(context, route, null);
            return;
        }

        // The API server answers a delete without finalizers with a Success Status.
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}""");
    }

    private async Task PatchAsync(HttpContext context, Route route, string body, bool strategic)
    {
        var patch = JsonNode.Parse(body)!.AsObject();
        JsonObject? result = null;
        SchemaOutcome? outcome = null;
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
                    KeepServerFields(route.Collection, old, next);
                }

                // The patched object is what the schema judges, as the server does after applying a patch.
                outcome = SchemaOf(route.Collection)?.Admit(next);
                if (outcome is not { Valid: false })
                {
                    result = (JsonObject)Store(route.Collection, route.Key, next, "MODIFIED", Manager(context), route.Subresource).DeepClone();
                }
            }
        }

        if (conflict)
        {
            await Conflict(context, route);
            return;
        }

        if (await InvalidAsync(context, route, outcome))
        {
            return;
        }

        await Respond(context, route, result);
    }

    /// <summary>The chart's CRD schema for a collection of our kinds, if it has one.</summary>
    private static CrdSchema? SchemaOf(string collection) => Schemas.GetValueOrDefault(collection);

    private static readonly Dictionary<string, CrdSchema> Schemas = CrdSchema.Chart.ToDictionary(s => s.Collection, StringComparer.Ordinal);

    /// <summary>Prunes, defaults and validates a create; answers 422 and returns true when the schema rejects it.</summary>
    private static async Task<bool> RejectedBySchemaAsync(HttpContext context, Route route, JsonObject obj, string? name) =>
        await InvalidAsync(context, route with { Name = name }, SchemaOf(route.Collection)?.Admit(obj));

    /// <summary>
    /// 422 Invalid with the server's message and one cause per field error when the schema rejected the write;
    /// otherwise the <c>unknown field</c> warnings (RFC 7234 Warning headers, code 299) for what it pruned.
    /// </summary>
    private static async Task<bool> InvalidAsync(HttpContext context, Route route, SchemaOutcome? outcome)
    {
        if (outcome is null)
        {
            return false;
        }

        // fieldValidation: Strict refuses unknown fields, Ignore drops them quietly, Warn (the default) drops them and says so.
        var validation = context.Request.Query["fieldValidation"].ToString();
        if (validation == "Strict" && outcome.Pruned.Count > 0)
        {
            await Status(context, 400, "BadRequest", StrictDecodingError(SchemaOf(route.Collection)!, outcome));
            return true;
        }

        foreach (var pruned in validation == "Ignore" ? [] : outcome.Pruned)
        {
            context.Response.Headers.Append("Warning", $"299 - {FieldError.Quote($"unknown field {FieldError.Quote(pruned)}")}");
        }

        if (outcome.Valid)
        {
            return false;
        }

        var schema = SchemaOf(route.Collection)!;
        var name = route.Name ?? "";
        await Status(context, 422, "Invalid", FieldError.InvalidMessage(schema.Kind, schema.Group, name, outcome.Errors), new JsonObject
        {
            ["name"] = name,
            ["group"] = schema.Group,
            ["kind"] = schema.Kind,
            ["causes"] = new JsonArray([.. outcome.Errors.Select(e => (JsonNode)new JsonObject { ["reason"] = e.Type, ["message"] = e.Body, ["field"] = e.Path })]),
        });
        return true;
    }

    private static string StrictDecodingError(CrdSchema schema, SchemaOutcome outcome) =>
        $"{schema.Kind} in version {FieldError.Quote(schema.Version)} cannot be handled as a {schema.Kind}: strict decoding error: "
        + string.Join(", ", outcome.Pruned.Select(p => $"unknown field {FieldError.Quote(p)}"));

    private static Task Conflict(HttpContext context, Route route) =>
        Status(context, 409, "Conflict",
            $"Operation cannot be fulfilled on {ResourceText(route.Collection)} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(route));

    private static string Manager(HttpContext context) =>
        context.Request.Query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : "unknown-client";

    /// <summary>What a write to the object itself cannot change: identity, creation time, generation (spec changes only), status.</summary>
    private static void KeepServerFields(string collection, JsonObject old, JsonObject next)
    {
        if (HasStatusSubresource(collection))
        {
            next["status"] = old["status"]?.DeepClone();
            if (next["status"] is null)
            {
                next.Remove("status");
            }
        }

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

    /// <summary>
    /// Stores a write and returns what is stored. A write that changes nothing (apart from what the server
    /// itself maintains) is a no-op: no new resourceVersion, no watch event, as the real server does.
    /// </summary>
    private JsonObject Store(string collection, string key, JsonObject obj, string type, string manager = "kubectl-client-side-apply", string? subresource = null)
    {
        var items = Items(collection);
        items.TryGetValue(key, out var previous);
        if (previous is not null && JsonNode.DeepEquals(Comparable(previous), Comparable(obj)))
        {
            return previous;
        }

        // managedFields are the server's: what the client sent is ignored, the stored entries carry on.
        Meta(obj)["managedFields"] = previous is null ? null : Meta(previous)["managedFields"]?.DeepClone();

        ManagedFields.Record(obj, manager, subresource, CreationTime);
        Meta(obj)["resourceVersion"] = (++version).ToString(CultureInfo.InvariantCulture);
        items[key] = obj;
        history.Add(new HistoryEntry(version, collection, type, obj.ToJsonString(), previous?.ToJsonString()));
        Pulse();
        return obj;
    }

    private static JsonObject Comparable(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        var meta = Meta(copy);
        meta.Remove("resourceVersion");
        meta.Remove("managedFields");
        meta.Remove("generation");
        return copy;
    }

    /// <summary>A CRD with a status subresource (as its schema says): a write to the object ignores status, a write to /status ignores the rest.</summary>
    private static bool HasStatusSubresource(string collection) => SchemaOf(collection)?.StatusSubresource == true;

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

    private static string? SelectedName(string fieldSelector) =>
        fieldSelector.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('=', 2)).FirstOrDefault(c => c.Length == 2 && c[0] == "metadata.name")?[1];

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

    private sealed record HistoryEntry(long Version, string Collection, string Type, string Object, string? Previous = null);

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
