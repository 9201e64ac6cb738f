using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using k8s.Exceptions;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Creates or updates one ImageScan, as <c>kubectl apply</c> does for one object: read it; POST it when absent;
/// when its spec differs, merge-patch the difference with the resourceVersion read as precondition; when the
/// spec is the same, write nothing. Only <c>spec</c> is ours: labels, annotations, status, managedFields and
/// anything else someone wrote are never sent back. A 409 (someone created or changed it between our read and our write) starts over from the
/// read, at most <see cref="MaxAttempts"/> times.
/// </summary>
/// <remarks>
/// Not server-side apply: a conditional merge patch needs no field-ownership model (in the API
/// server or in our fake of it), and "unchanged" is decided by comparing specs rather than guessed.
/// Requests carry <c>fieldManager=admissionguard</c> so managedFields name us.
/// </remarks>
internal sealed class ImageScanApplier(KubeApi api, TimeSpan timeout)
{
    /// <summary>Tries before giving up on a write that keeps conflicting (kubectl's RetryOnConflict also makes 5).</summary>
    public const int MaxAttempts = 5;

    /// <summary>The verbs on <c>imagescans.admissionguard.io</c> that applying needs (for RBAC messages and docs).</summary>
    public const string NeededVerbs = "get, create and patch";

    private const string Resource = "imagescans.admissionguard.io";
    private const string WriteQuery = "?fieldManager=admissionguard";

    public async Task<ImageScanApplyResult> ApplyAsync(ImageScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var name = scan.Metadata?.Name ?? throw new ArgumentException("the ImageScan has no name", nameof(scan));
        var spec = SpecJson(scan.Spec ?? throw new ArgumentException("the ImageScan has no spec", nameof(scan)));
        var host = api.Client.BaseUri.ToString().TrimEnd('/');
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var verb = "get";
        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                verb = "get";
                var existing = await ReadAsync(name, deadline.Token).ConfigureAwait(false);
                try
                {
                    if (existing is null)
                    {
                        verb = "create";
                        var created = new JsonObject
                        {
                            ["apiVersion"] = scan.ApiVersion,
                            ["kind"] = scan.Kind,
                            ["metadata"] = new JsonObject { ["name"] = name },
                            ["spec"] = spec.DeepClone(),
                        };
                        await WriteAsync(HttpMethod.Post, ResourcePath.ImageScans.Collection, created, "application/json", deadline.Token).ConfigureAwait(false);
                        return ImageScanApplyResult.Done(ApplyOutcome.Created);
                    }

                    if (JsonNode.DeepEquals(existing["spec"], spec))
                    {
                        return ImageScanApplyResult.Done(ApplyOutcome.Unchanged);
                    }

                    // Only the spec changes, and only if nobody wrote since our read: a merge patch of the difference,
                    // conditional on the resourceVersion read. Nothing else we read (managedFields, labels, status) goes back.
                    verb = "patch";
                    var resourceVersion = existing["metadata"]?["resourceVersion"]?.GetValue<string>() ?? throw new JsonException("the ImageScan has no metadata.resourceVersion");
                    var patch = MergePatch.Conditional(resourceVersion, ("spec", MergePatch.Diff(existing["spec"], spec)));
                    await WriteAsync(HttpMethod.Patch, ResourcePath.ImageScans.Item(null, name), patch, MergePatch.ContentType, deadline.Token).ConfigureAwait(false);
                    return ImageScanApplyResult.Done(ApplyOutcome.Configured);
                }
                catch (KubeApiException e) when (e.StatusCode == 409 || (e.StatusCode == 404 && verb == "patch"))
                {
                    // Created, changed or deleted by someone else since our read: read again.
                }
            }

            return ImageScanApplyResult.Fail(
                $"imagescan.admissionguard.io/{name} was changed by someone else between our read and our write {MaxAttempts} times in a row (409 Conflict); giving up, try again");
        }
        catch (KubeApiException e)
        {
            return ImageScanApplyResult.Fail(Explain(e, verb, name, host));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // Refused, reset, DNS, TLS: the cause is in the message or one level down.
            var inner = e.InnerException is { } cause && !e.Message.Contains(cause.Message, StringComparison.Ordinal) ? $" ({cause.Message})" : "";
            return ImageScanApplyResult.Fail($"cannot reach the API server at {host}: {e.Message}{inner}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ImageScanApplyResult.Fail($"the API server at {host} did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (JsonException e)
        {
            return ImageScanApplyResult.Fail($"{host} did not answer as a Kubernetes API server does (not JSON: {e.Message})");
        }
        catch (KubeConfigException e)
        {
            // Credentials are fetched per request (exec plugins, token files).
            return ImageScanApplyResult.Fail($"cannot get credentials for {host}: {e.Message}");
        }
    }

    /// <summary>The spec exactly as <see cref="ImageScanYamlWriter"/> prints it, so the YAML and the applied object agree.</summary>
    internal static JsonObject SpecJson(ImageScanSpec spec)
    {
        var json = JsonSerializer.SerializeToNode(spec, AgJsonContext.Default.ImageScanSpec)!.AsObject();
        if (spec.ScannedAt is { } scannedAt)
        {
            json["scannedAt"] = scannedAt.UtcDateTime.ToString(ImageScanYamlWriter.ScannedAtFormat, CultureInfo.InvariantCulture);
        }

        return json;
    }

    private static string Explain(KubeApiException e, string verb, string name, string host)
    {
        var said = e.ServerMessage is { Length: > 0 } message ? $"; the API server said: {message}" : "";
        return e.StatusCode switch
        {
            401 => $"the API server at {host} did not accept the credentials (401 Unauthorized): check the user of the kubeconfig's current context{said}",
            403 => $"forbidden (403): RBAC does not allow the verb \"{verb}\" on {Resource}; scan import --apply needs {NeededVerbs} on imagescans in API group admissionguard.io{said}",
            404 => $"the ImageScan CRD ({Resource}) is not installed in the cluster at {host}: {ResourcePath.ImageScans.Collection} answered 404; install it first (kubectl apply -f manifests/crds/imagescans.admissionguard.io.yaml, or the Helm chart){said}",
            422 => $"the API server rejected imagescan.admissionguard.io/{name} as invalid: {e.ServerMessage}",
            _ => $"{verb} imagescan.admissionguard.io/{name} failed: {e.Message}",
        };
    }

    private async Task<JsonObject?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await api.GetJsonAsync(ResourcePath.ImageScans.Item(null, name), cancellationToken).ConfigureAwait(false);
            return JsonNode.Parse(document.RootElement.GetRawText()) as JsonObject ?? throw new JsonException("the answer is not an object");
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            // No such object, or no such resource (CRD missing): the create that follows tells which.
            return null;
        }
    }

    private async Task WriteAsync(HttpMethod method, string path, JsonObject body, string contentType, CancellationToken cancellationToken)
    {
        using var answer = await api.SendJsonAsync(method, path + WriteQuery, Encoding.UTF8.GetBytes(body.ToJsonString()), contentType, cancellationToken).ConfigureAwait(false);
    }
}
