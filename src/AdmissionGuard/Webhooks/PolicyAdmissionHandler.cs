using System.Text.Json;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// <c>/validate-policy</c>: rejects a HardenedImageSource, ClusterImagePolicy or ImagePolicy that does not compile,
/// with every field error, using the watchers' decoder and the admission compiler, so what the webhook lets through
/// is what the watch can read and compile. The envelope rules are <c>/validate</c>'s (<see cref="AdmissionHandler.Open"/>).
/// </summary>
internal sealed class PolicyAdmissionHandler(AdmissionStateStore store, ILogger<PolicyAdmissionHandler> logger)
{
    public const string Group = "admissionguard.io";

    public AdmissionResult Handle(ReadOnlyMemory<byte> body)
    {
        if (AdmissionHandler.Open(body, out var request) is { } invalid)
        {
            return invalid;
        }

        var uid = request.Uid!;
        var kind = request.Kind?.Kind ?? "";
        var operation = request.Operation ?? "";
        if (request.Kind?.Group != Group || kind is not (HardenedImageSource.KindName or ImagePolicy.ClusterKind or ImagePolicy.NamespacedKind))
        {
            // As /validate does with kinds it does not judge.
            return AdmissionHandler.Allow(uid, kind, operation, AdmissionDecision.UnknownKind);
        }

        // Status writes and deletions change no spec.
        if (operation is not ("CREATE" or "UPDATE") || !string.IsNullOrEmpty(request.SubResource))
        {
            return AdmissionHandler.Allow(uid, kind, operation, AdmissionDecision.Skipped);
        }

        using var document = JsonDocument.Parse(body);
        var raw = document.RootElement.GetProperty("request");
        if (!raw.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            return AdmissionHandler.Deny(uid, $"{operation} of {kind} carries no object to evaluate", kind, operation, AdmissionDecision.Invalid);
        }

        // Labels, annotations, finalizers, deletion: an object already stored invalid can still be tidied up and deleted.
        if (operation == "UPDATE" && raw.TryGetProperty("oldObject", out var old) && old.ValueKind == JsonValueKind.Object
            && obj.TryGetProperty("spec", out var spec) && old.TryGetProperty("spec", out var oldSpec) && JsonElement.DeepEquals(spec, oldSpec))
        {
            return AdmissionHandler.Allow(uid, kind, operation, AdmissionDecision.Skipped);
        }

        var name = request.Name ?? request.Object?.Metadata?.Name ?? "<unnamed>";
        try
        {
            var errors = Check(kind, obj, request.Namespace, out var pending);
            if (errors.Count != 0)
            {
                return new AdmissionResult.Denied(uid, kind, operation, AdmissionDecision.Denied, $"{kind}/{name}: {string.Join("; ", errors)}",
                    StatusCodes.Status400BadRequest, "Invalid");
            }

            return pending.Count != 0
                ? new AdmissionResult.Allowed(uid, kind, operation, AdmissionDecision.Warned, AdmissionWarnings.Unlimited(pending))
                : AdmissionHandler.Allow(uid, kind, operation, AdmissionDecision.Allowed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never a 500. Allowed, as failurePolicy Ignore would: this webhook must never block editing policies, and
            // the watch still judges the object (status Ready=False, last good version kept).
            logger.LogError(e, "checking {Kind} {Name} failed", kind, name);
            return AdmissionHandler.Allow(uid, kind, operation, AdmissionDecision.Error);
        }
    }

    /// <summary>Every error as <c>field: message</c>; <paramref name="pending"/> holds what depends on other objects only.</summary>
    private List<string> Check(string kind, JsonElement obj, string? requestNamespace, out List<string> pending)
    {
        pending = [];
        if (kind == HardenedImageSource.KindName)
        {
            var source = ObjectDecoder.TryDecode(ObjectDecoder.HardenedImageSource, obj, out var error, out var field);
            return source is null ? [$"{field}: {error}"] : [.. PolicyCompiler.Check(source).Select(Describe)];
        }

        var policy = ObjectDecoder.TryDecode(ObjectDecoder.ImagePolicy, obj, out var decodeError, out var decodeField);
        if (policy is null)
        {
            return [$"{decodeField}: {decodeError}"];
        }

        // The kind decides cluster or namespaced semantics: trust the request, as the watch trusts its collection.
        policy.Kind = kind;
        if (kind == ImagePolicy.NamespacedKind && policy.Metadata is { Namespace: null } meta)
        {
            meta.Namespace = requestNamespace;
        }

        var errors = PolicyCompiler.Check(policy, store.Current.Snapshot, out var waiting);
        pending = [.. waiting.Select(Describe)];
        return [.. errors.Select(Describe)];
    }

    private static string Describe(PolicyError error) => $"{error.Field}: {error.Message}";
}
