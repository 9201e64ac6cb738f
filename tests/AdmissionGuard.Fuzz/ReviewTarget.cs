using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;

namespace AdmissionGuard.Fuzz;

/// <summary>
/// The AdmissionReview decoder and the engine behind it, through <see cref="AdmissionHandler.HandleAsync"/>
/// for both webhooks. The handler must answer 200 or 4xx, never throw, and its review must encode.
/// It turns an engine exception into a fail-closed denial ("error"); here that is a finding too,
/// because the same exception would deny a legitimate Pod.
/// </summary>
internal sealed class ReviewTarget
{
    /// <summary>Every rule kind, every mode, an exception, a namespaced policy, a rewrite and a scan.</summary>
    internal const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: dhi}
        spec:
          hardened: ["dhi.io/**"]
          notHardened: ["**:*-dev"]
          mappings:
            - {from: "docker.io/library/*", to: "dhi.io/{name}:{tag}"}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: suffix}
        spec:
          hardened: ["**:*-hardened"]
          mappings:
            - {from: "registry.example.com/**", to: "{repository}:{tag}-hardened"}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod, labels: {env: prod}}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: production}
        spec:
          mode: Enforce
          match:
            namespaceSelector: {matchLabels: {env: prod}}
            excludeNamespaces: ["kube-system"]
          images: {exclude: ["registry.k8s.io/**"]}
          rules:
            hardened: {required: true, sources: [dhi, suffix]}
            registries: {allowed: ["dhi.io", "registry.example.com/team-*", "localhost:5000"]}
            tags: {disallowed: ["latest", "*-rc*"], requireDigest: false}
            scan: {minGrade: B, maxCritical: 0, maxAge: 168h, onMissing: Warn}
          rewrite: {enabled: true, pinDigest: true, target: Workloads}
          exceptions:
            - images: ["docker.io/bitnami/legacy:*"]
              namespaces: ["legacy"]
              expires: "2099-03-31T00:00:00Z"
              reason: "SEC-123 migration"
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: everywhere}
        spec:
          mode: Warn
          match: {namespaces: ["*"], podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [debug]}]}}
          rules:
            tags: {disallowed: ["*-dev"], requireDigest: true}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: audit}
        spec:
          mode: Audit
          rules:
            registries: {allowed: ["dhi.io"]}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImagePolicy
        metadata: {name: team, namespace: team-x}
        spec:
          mode: Enforce
          rules:
            registries: {allowed: ["registry.example.com/team-x"]}
          exceptions:
            - images: ["**"]
              expires: "2099-01-01T00:00:00Z"
              reason: "covers only this policy"
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-1111111111111111111111111111111111111111}
        spec:
          image: dhi.io/nginx:1.25
          digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
          scanner: {name: trivy, version: "0.58.0"}
          scannedAt: "2026-11-28T00:00:00Z"
          vulnerabilities: {critical: 0, high: 2, medium: 7, low: 30, unknown: 0}
          fixable: {critical: 0, high: 0}
        """;

    private readonly AdmissionHandler handler;
    private readonly CapturingLogger logger = new();

    public ReviewTarget()
    {
        var set = new ManifestSet();
        set.AddText(Policies, "review-policies.yaml");
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var scans = ScanIndex.Build(set.Scans, GradeScale.Default);
        var problems = set.Errors.Concat(snapshot.Errors.Select(e => e.ToString())).Concat(scans.Errors.Select(e => e.ToString())).ToList();
        if (problems.Count != 0)
        {
            throw new InvalidOperationException("the fixed policy set does not compile: " + string.Join("; ", problems));
        }

        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(snapshot, scans.Index, set.NamespaceLabels, true));
        handler = new AdmissionHandler(store, NoRegistryFacts.Instance, new AdmissionMetrics(store), new WebhookOptions(), TimeProvider.System, logger);
    }

    public void Run(ReadOnlyMemory<byte> input)
    {
        foreach (var purpose in (ReadOnlySpan<EvaluationPurpose>)[EvaluationPurpose.Validate, EvaluationPurpose.Mutate])
        {
            logger.Last = null;
            var result = handler.HandleAsync(input, purpose, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            FuzzFinding.Check(result.Decision != AdmissionDecision.Error, $"{purpose}: the engine threw; the handler denied", logger.Last);
            FuzzFinding.Check(result.StatusCode is 200 or (>= 400 and < 500), $"{purpose}: status {result.StatusCode}");
            if (result.StatusCode != 200)
            {
                FuzzFinding.Check(result is AdmissionResult.Rejected { Error.Length: > 0 } && result.ToReview() is null, $"{purpose}: a {result.StatusCode} without a reason");
                continue;
            }

            var review = result.ToReview();
            var response = review?.Response;
            FuzzFinding.Check(response is not null && !string.IsNullOrEmpty(response.Uid), $"{purpose}: a 200 without a response uid");
            FuzzFinding.Check(purpose != EvaluationPurpose.Mutate || response.Allowed || result.Decision is AdmissionDecision.Invalid or AdmissionDecision.Timeout,
                $"{purpose}: the mutating webhook denied ({result.Decision})");
            FuzzFinding.Check(response.Allowed || response.Status?.Code == 403, $"{purpose}: a denial without status 403");
            AdmissionHandler.Encode(review!);
        }
    }
}
