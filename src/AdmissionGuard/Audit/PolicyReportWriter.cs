using System.Text.Json;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

/// <summary>
/// Keeps one PolicyReport named <c>admissionguard</c> per namespace in step with an audit pass: create, replace with
/// the current resourceVersion (a 409 reads again and retries), delete where no judged Pod is left.
/// </summary>
internal sealed class PolicyReportWriter(KubeApi api, AuditOptions options)
{
    public static readonly ResourcePath PolicyReports = new("wgpolicyk8s.io", "v1alpha2", "policyreports", "PolicyReport", true);

    /// <summary>Namespaces that hold our report now (paged; only reports with our name and label count).</summary>
    public async Task<HashSet<string>> ExistingAsync(CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var query = $"{PolicyReports.Collection}?labelSelector={Uri.EscapeDataString($"{PolicyReport.ManagedByLabel}={PolicyReport.ManagedBy}")}&limit={options.PageSize}"
                + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
            using var page = await api.GetJsonAsync(query, cancellationToken).ConfigureAwait(false);
            token = null;
            var root = page.RootElement;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.TryGetProperty("metadata", out var meta) && Text(meta, "name") == PolicyReport.Name && Text(meta, "namespace") is { } ns
                        && meta.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object && Text(labels, PolicyReport.ManagedByLabel) == PolicyReport.ManagedBy)
                    {
                        found.Add(ns);
                    }
                }
            }

            if (root.TryGetProperty("metadata", out var listMeta) && Text(listMeta, "continue") is { Length: > 0 } next)
            {
                token = next;
            }
        }
        while (token is not null);

        return found;
    }

    public async Task WriteAsync(PolicyReport report, CancellationToken cancellationToken)
    {
        var ns = report.Metadata.Namespace!;
        var item = PolicyReports.Item(ns, PolicyReport.Name);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                string? resourceVersion = null;
                try
                {
                    using var existing = await api.GetJsonAsync(item, cancellationToken).ConfigureAwait(false);
                    resourceVersion = existing.RootElement.TryGetProperty("metadata", out var meta) ? Text(meta, "resourceVersion") : null;
                }
                catch (KubeApiException e) when (e.StatusCode == 404)
                {
                    // Not there yet: create it.
                }

                report.Metadata.ResourceVersion = resourceVersion;
                var body = JsonSerializer.SerializeToUtf8Bytes(report, ObservingJsonContext.Relaxed.PolicyReport);
                using var written = resourceVersion is null
                    ? await api.SendJsonAsync(HttpMethod.Post, PolicyReports.NamespacedCollection(ns), body, "application/json", cancellationToken).ConfigureAwait(false)
                    : await api.SendJsonAsync(HttpMethod.Put, item, body, "application/json", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.StatusCode == 409 && attempt < options.Retries)
            {
                // Someone else wrote it between our read and our write (or created it first): read again.
            }
        }
    }

    public async Task DeleteAsync(string ns, CancellationToken cancellationToken)
    {
        try
        {
            await api.DeleteAsync(PolicyReports.Item(ns, PolicyReport.Name), cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            // Already gone.
        }
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
