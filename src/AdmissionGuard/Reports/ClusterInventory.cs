using System.Runtime.CompilerServices;
using System.Text.Json;
using AdmissionGuard.Adoption;
using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Reports;

/// <summary>
/// One pass over a cluster for <c>report</c>: the policy kinds, ImageScans and Namespaces, compiled as cluster mode
/// compiles them, then every running Pod (paged with <c>limit</c>/<c>continue</c>) judged as admission would judge it
/// now. Lists only, no watch: the RBAC it needs is <c>list</c> on those six resources.
/// </summary>
internal static class ClusterInventory
{
    public const int PageSize = 500;

    public static async Task<(List<JudgedWorkload> Workloads, AdmissionState State, ReportContext Context)> ReadAsync(KubeApi api, GradeScale scale, TimeProvider time, CancellationToken cancellationToken)
    {
        var sources = await ListAsync(api, ResourcePath.HardenedImageSources, AgJsonContext.Default.HardenedImageSource, cancellationToken).ConfigureAwait(false);
        var clusterPolicies = await ListAsync(api, ResourcePath.ClusterImagePolicies, AgJsonContext.Default.ImagePolicy, cancellationToken).ConfigureAwait(false);
        var policies = await ListAsync(api, ResourcePath.ImagePolicies, AgJsonContext.Default.ImagePolicy, cancellationToken).ConfigureAwait(false);
        var scanObjects = await ListAsync(api, ResourcePath.ImageScans, AgJsonContext.Default.ImageScan, cancellationToken).ConfigureAwait(false);
        var namespaces = new List<WatchedObject<Dictionary<string, string>>>();
        await foreach (var item in PagesAsync(api, ResourcePath.Namespaces.Collection, cancellationToken).ConfigureAwait(false))
        {
            var meta = MetaOf(item);
            namespaces.Add(new(meta.Name ?? "", meta, null, ClusterStateBuilder.NamespaceLabels(meta), null, null));
        }

        var scans = ScanIndex.Build(scanObjects.Where(s => s.Value is not null).Select(s => s.Value!), scale);
        var state = ClusterStateBuilder.Build(sources, clusterPolicies, policies, namespaces, scans.Index).State;
        var engine = new PolicyEngine(state.Scans, NoRegistryFacts.Instance, time);
        var workloads = new List<JudgedWorkload>();
        await foreach (var item in PagesAsync(api, "/api/v1/pods", cancellationToken).ConfigureAwait(false))
        {
            // A finished Pod runs nothing.
            if (item.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
                && status.TryGetProperty("phase", out var phase) && phase.ValueKind == JsonValueKind.String && phase.GetString() is "Succeeded" or "Failed")
            {
                continue;
            }

            WorkloadObject? pod;
            try
            {
                pod = item.Deserialize(AgJsonContext.Default.WorkloadObject);
            }
            catch (JsonException)
            {
                continue;
            }

            if (pod is null)
            {
                continue;
            }

            var ns = pod.Metadata?.Namespace ?? "default";
            var input = new EvaluationInput("Pod", pod, ns, state.LabelsOf(ns));
            workloads.Add(new JudgedWorkload(ns, "Pod", pod.Metadata?.Name ?? "<unnamed>", pod, engine.Evaluate(state.Snapshot, input, EvaluationPurpose.Validate)));
        }

        var errors = state.Snapshot.Errors.Select(e => e.ToString()).Concat(scans.Errors.Select(e => $"ImageScan {e}")).ToList();
        var context = new ReportContext("cluster", [api.Client.BaseUri.ToString()], state.Snapshot.PolicyCount, state.Scans.Count, errors);
        return (workloads, state, context);
    }

    /// <summary>Every item of a collection, page by page; a page is released before the next is asked for.</summary>
    public static async IAsyncEnumerable<JsonElement> PagesAsync(KubeApi api, string collection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continueToken = null;
        do
        {
            var query = $"{collection}?limit={PageSize}" + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            using var page = await api.GetJsonAsync(query, cancellationToken).ConfigureAwait(false);
            var root = page.RootElement;
            continueToken = root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } next ? next : null;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    yield return item;
                }
            }
        }
        while (continueToken is not null);
    }

    private static async Task<List<WatchedObject<T>>> ListAsync<T>(KubeApi api, ResourcePath path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var list = new List<WatchedObject<T>>();
        await foreach (var item in PagesAsync(api, path.Collection, cancellationToken).ConfigureAwait(false))
        {
            var meta = MetaOf(item);
            var key = meta.Namespace is { Length: > 0 } ns ? $"{ns}/{meta.Name}" : meta.Name ?? "";
            try
            {
                list.Add(new(key, meta, null, item.Deserialize(type), null, null));
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "(object)";
                list.Add(new(key, meta, null, null, e.Message.Split(" Path:")[0], field));
            }
        }

        return list;
    }

    private static ObjectMeta MetaOf(JsonElement item)
    {
        try
        {
            return item.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m.Deserialize(AgJsonContext.Default.ObjectMeta) ?? new() : new();
        }
        catch (JsonException)
        {
            return new();
        }
    }
}
