using AdmissionGuard.Admission;
using AdmissionGuard.Adoption;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

/// <summary>
/// One audit pass over the running Pods, fed a page at a time: each Pod is judged by the same engine and the
/// same snapshot admission uses now, and only its results are kept (never the Pod), per namespace.
/// </summary>
internal sealed class AuditPass
{
    private readonly AdmissionState state;
    private readonly PolicyEngine engine;
    private readonly ReportTimestamp timestamp;
    private readonly Dictionary<string, NamespaceFindings> namespaces = new(StringComparer.Ordinal);
    private readonly AdoptionAccumulator adoption;

    public AuditPass(AdmissionState state, PolicyEngine engine, TimeProvider time)
    {
        this.state = state;
        this.engine = engine;
        timestamp = new ReportTimestamp { Seconds = time.GetUtcNow().ToUnixTimeSeconds() };
        adoption = new AdoptionAccumulator(state.Snapshot, state.Scans, time);
    }

    /// <summary>
    /// The adoption figures of every namespace running a Pod, from the same aggregation <c>admissionguard report</c>
    /// uses (each Pod added as it is judged, never kept).
    /// </summary>
    public IReadOnlyDictionary<string, NamespaceAdoption> Adoption() =>
        adoption.Picture().Namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);

    /// <summary>Namespaces holding at least one judged Pod, with their results and adoption figures.</summary>
    public IReadOnlyDictionary<string, NamespaceFindings> Namespaces => namespaces;

    public int PodsSeen { get; private set; }

    public int PodsJudged { get; private set; }

    public void Judge(AuditedPod pod)
    {
        PodsSeen++;
        var meta = pod.Metadata;
        // Finished Pods run nothing; a Pod without name or namespace cannot be reported against.
        if (pod.Status?.Phase is "Succeeded" or "Failed" || meta?.Name is not { Length: > 0 } name || meta.Namespace is not { Length: > 0 } ns)
        {
            return;
        }

        var labels = state.LabelsOf(ns);
        var input = new EvaluationInput("Pod", new WorkloadObject
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new WorkloadMeta { Name = name, Namespace = ns, Labels = meta.Labels },
            Spec = pod.Spec ?? new WorkloadSpec(),
        }, ns, labels);
        var verdict = engine.Evaluate(state.Snapshot, input, EvaluationPurpose.Validate);
        // A running Pod runs what it runs: no rewrites. Counted whether or not a policy judged it.
        adoption.Add(new JudgedWorkload(ns, "Pod", name, input.Object, verdict));
        if (!verdict.Evaluated || verdict.Images.Count == 0)
        {
            return;
        }

        PodsJudged++;
        if (!namespaces.TryGetValue(ns, out var findings))
        {
            namespaces[ns] = findings = new NamespaceFindings(ns);
        }

        var resource = new List<ReportResource> { new() { Name = name, Namespace = ns, Uid = meta.Uid } };
        foreach (var image in verdict.Images)
        {
            Report(findings, image, resource, ns, meta.Labels, labels);
        }
    }

    private void Report(NamespaceFindings findings, ImageResult image, List<ReportResource> resource, string ns,
        Dictionary<string, string>? podLabels, IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        var site = image.Site;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["container"] = site.Name, ["image"] = site.Image };
        if (image.Replacement is { } twin)
        {
            properties["twin"] = twin;
        }

        if (image.Grade is { } grade)
        {
            properties["grade"] = grade.ToString();
        }

        var reported = new List<string>();
        foreach (var (first, rules, message) in DecisionRecords.ByPolicy(site, image.Violations))
        {
            reported.Add(first.PolicyId);
            var enforced = first.Mode == PolicyMode.Enforce;
            findings.Add(Result(first.PolicyId, rules, enforced ? "fail" : "warn", enforced ? "high" : "medium", message, resource, properties));
        }

        foreach (var exemption in image.Exemptions)
        {
            // "ClusterImagePolicy/x: SEC-123 migration (until 2027-03-31)"
            var policy = exemption.Split(": ", 2)[0];
            reported.Add(policy);
            findings.Add(Result(policy, "exception", "skip", "info", $"{site.Describe()}: image \"{site.Image}\" is excepted by {exemption}", resource, properties));
        }

        if (image.Normalized is null || !ImageReferenceParser.TryParse(image.Normalized, out var reference, out _))
        {
            return;
        }

        foreach (var id in state.Snapshot.PolicyIdsJudging(ns, namespaceLabels, podLabels, reference))
        {
            if (!reported.Contains(id))
            {
                findings.Add(Result(id, "", "pass", "info", $"{site.Describe()}: image \"{site.Image}\" passes {id}", resource, properties));
            }
        }
    }

    private ReportResult Result(string policy, string rule, string result, string severity, string message, List<ReportResource> resource, Dictionary<string, string> properties) => new()
    {
        Policy = policy,
        Rule = rule,
        Result = result,
        Severity = severity,
        Message = message,
        Resources = resource,
        Properties = properties,
        Timestamp = timestamp,
    };
}
