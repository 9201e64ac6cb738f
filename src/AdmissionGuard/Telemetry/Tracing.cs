using System.Diagnostics;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// AdmissionGuard's spans (docs/tracing.md). Every helper returns or takes a nullable <see cref="Activity"/>: with no
/// listener (tracing off) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null, and every tag is
/// written behind that null check, so the hot path allocates nothing for tracing.
/// </summary>
internal static class Tracing
{
    public const string SourceName = "AdmissionGuard";

    public static readonly ActivitySource Source = new(SourceName, typeof(Tracing).Assembly.GetName().Version?.ToString());

    // Span names: fixed strings (no allocation, low cardinality, as OpenTelemetry asks of span names).
    public const string Validate = "admission validate";
    public const string Mutate = "admission mutate";
    public const string ValidatePolicy = "admission validate-policy";
    public const string Evaluate = "evaluate";
    public const string RegistryWait = "registry wait";
    public const string SignatureWait = "signature wait";
    public const string RegistryLookup = "registry lookup";
    public const string SignatureLookup = "signature lookup";
    public const string WatchList = "watch list";
    public const string AuditPass = "audit pass";

    /// <summary>
    /// The span of one admission request, a child of the API server's span when the request carries W3C
    /// <c>traceparent</c> (and <c>tracestate</c>). Null when tracing is off.
    /// </summary>
    public static Activity? StartAdmission(string webhook, IHeaderDictionary headers)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // ASP.NET Core makes an activity of its own for every request (unexported here): parenting on it would hang our
        // span under a span no collector ever sees. The parent is the caller's context, or none.
        Activity.Current = null;
        // A malformed traceparent is ignored (a new trace starts), as W3C Trace Context asks.
        ActivityContext.TryParse(headers.TraceParent, headers.TraceState, isRemote: true, out var parent);
        var name = webhook switch { "mutate" => Mutate, "validate-policy" => ValidatePolicy, _ => Validate };
        var activity = Source.StartActivity(name, ActivityKind.Server, parent);
        activity?.SetTag("admissionguard.webhook", webhook);
        return activity;
    }

    /// <summary>The admission span now current when it records attributes; null otherwise (tracing off, not sampled, or inside a child).</summary>
    public static Activity? CurrentAdmission =>
        Activity.Current is { IsAllDataRequested: true, Kind: ActivityKind.Server } current && ReferenceEquals(current.Source, Source) ? current : null;

    /// <summary>What the HTTP layer knows once the handler answered: every request, also the ones that never reached the engine.</summary>
    public static void Answered(Activity activity, int statusCode, string kind, string operation, string decision)
    {
        activity.SetTag("admissionguard.kind", kind);
        activity.SetTag("admissionguard.operation", operation);
        activity.SetTag("admissionguard.decision", decision);
        activity.SetTag("http.response.status_code", statusCode);
        if (statusCode >= 400 || decision is "error" or "timeout")
        {
            activity.SetStatus(ActivityStatusCode.Error, decision);
        }
    }

    /// <summary>
    /// What the engine judged: the object, the policies that matched it, and one event per violation with the fields a
    /// decision record shows (never more: no registry credentials, no scan details beyond the grade).
    /// </summary>
    public static void Judged(Activity activity, string ns, string? name, string uid, bool dryRun, PolicySnapshot snapshot,
        IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels, Verdict verdict)
    {
        activity.SetTag("admissionguard.namespace", ns);
        activity.SetTag("admissionguard.name", name);
        activity.SetTag("admissionguard.uid", uid);
        activity.SetTag("admissionguard.dry_run", dryRun);
        var policies = snapshot.PolicyIdsMatching(ns, namespaceLabels, podLabels).ToArray();
        activity.SetTag("admissionguard.policies", policies);
        activity.SetTag("admissionguard.policies.count", policies.Length);
        activity.SetTag("admissionguard.images", verdict.Images.Count);
        activity.SetTag("admissionguard.rewrites", verdict.Rewrites.Count);
        var violations = 0;
        foreach (var image in verdict.Images)
        {
            foreach (var violation in image.Violations)
            {
                violations++;
                activity.AddEvent(new ActivityEvent("violation", tags: new ActivityTagsCollection
                {
                    ["admissionguard.policy"] = violation.PolicyId,
                    ["admissionguard.rule"] = violation.Rule,
                    ["admissionguard.mode"] = violation.Mode.ToString(),
                    ["admissionguard.container"] = image.Site.Name,
                    ["admissionguard.list"] = ImageSite.LocationName(image.Site.Location),
                    ["admissionguard.image"] = image.Site.Image,
                    ["admissionguard.twin"] = image.Replacement,
                    ["admissionguard.reason"] = violation.Reason,
                }));
            }
        }

        activity.SetTag("admissionguard.violations", violations);
    }
}
