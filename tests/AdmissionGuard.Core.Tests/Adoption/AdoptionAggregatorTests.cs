using AdmissionGuard.Adoption;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Adoption;

public class AdoptionAggregatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: dhi}
        spec:
          hardened: ["dhi.io/**"]
          mappings: [{from: "docker.io/library/*", to: "dhi.io/{name}:{tag}"}]
          verifyExists: false
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: baseline}
        spec:
          mode: Audit
          match: {excludeNamespaces: ["kube-system"]}
          rules:
            hardened: {required: true, sources: [dhi]}
          rewrite: {enabled: REWRITE}
          exceptions:
            - images: ["docker.io/bitnami/legacy:*"]
              namespaces: ["legacy"]
              expires: "2026-12-11T12:00:00Z"
              reason: "SEC-1 soon"
            - images: ["docker.io/library/old:*"]
              expires: "2027-06-01T00:00:00Z"
              reason: "SEC-2 later"
            - images: ["docker.io/library/gone:*"]
              expires: "2026-11-01T00:00:00Z"
              reason: "SEC-0 expired"
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-1111111111111111111111111111111111111111}
        spec:
          image: docker.io/library/nginx:1.25
          digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
          scannedAt: "2026-11-30T00:00:00Z"
          vulnerabilities: {critical: 2, high: 5, medium: 10, low: 20, unknown: 1}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-2222222222222222222222222222222222222222}
        spec:
          image: dhi.io/nginx:1.25
          digest: sha256:2222222222222222222222222222222222222222222222222222222222222222
          scannedAt: "2026-11-30T00:00:00Z"
          vulnerabilities: {critical: 0, high: 0, medium: 2, low: 9, unknown: 3}
        """;

    [Fact]
    public void Aggregate_RunningPods_CountsPerNamespaceAndOverall()
    {
        var picture = Run(rewrite: false, manifests: false,
            Pod("prod", "a", "nginx:1.25", "dhi.io/nginx:1.25"),
            Pod("prod", "b", "nginx:1.25"),
            Pod("kube-system", "c", "registry.k8s.io/pause:3.9", "dhi.io/redis:7"),
            Pod("legacy", "d", "docker.io/bitnami/legacy:1"),
            Pod("dev", "e", "Nginx:Bad"));

        Assert.Equal(5, picture.Workloads);
        var total = picture.Total;
        Assert.Equal((7, 2, 4, 1, 0), (total.Containers, total.Hardened, total.NotHardened, total.Unparseable, total.Rewritten));
        Assert.Equal(2.0 / 7, total.HardenedShare, 10);

        Assert.Equal(["prod", "dev", "kube-system", "legacy"], picture.Namespaces.Select(n => n.Name));
        var prod = picture.Namespaces[0];
        Assert.Equal((3, 1, 2, 0), (prod.Containers, prod.Hardened, prod.NotHardened, prod.Unparseable));
        Assert.Equal(new VulnerabilityCounts(4, 10, 22, 49, 5), prod.Vulnerabilities);
        // Per nginx container: (2,5,10,20,1) minus the twin's (0,0,2,9,3); unknown goes up, so it counts 0.
        Assert.Equal(new VulnerabilityCounts(4, 10, 16, 22, 0), prod.Avoidable);
        Assert.Equal(new GradeCounts(1, 0, 0, 2, 0, 0, 0), prod.Grades);

        var kubeSystem = picture.Namespaces.Single(n => n.Name == "kube-system");
        // No policy judges kube-system: the dhi source still calls dhi.io/redis hardened.
        Assert.Equal((2, 1, 1), (kubeSystem.Containers, kubeSystem.Hardened, kubeSystem.NotHardened));
        Assert.Equal(new GradeCounts(0, 0, 0, 0, 0, 0, 2), kubeSystem.Grades);
        Assert.Equal(1, picture.Namespaces.Single(n => n.Name == "dev").Unparseable);
    }

    [Fact]
    public void Aggregate_NonHardenedImages_RankedByContainersTimesGrade()
    {
        var picture = Run(rewrite: false, manifests: false,
            Pod("prod", "a", "nginx:1.25", "registry.k8s.io/pause:3.9"),
            Pod("team", "b", "nginx:1.25"),
            Pod("legacy", "d", "docker.io/bitnami/legacy:1"));

        Assert.Equal(3, picture.FixFirstTotal);
        Assert.Equal(["docker.io/library/nginx:1.25", "docker.io/bitnami/legacy:1", "registry.k8s.io/pause:3.9"], picture.FixFirst.Select(f => f.Image));
        var nginx = picture.FixFirst[0];
        // Two containers x grade D (weight 4); unscanned images weigh 3.
        Assert.Equal(8, nginx.Score);
        Assert.Equal(Grade.D, nginx.Grade);
        Assert.Equal(["prod", "team"], nginx.Namespaces);
        Assert.Equal("dhi.io/nginx:1.25", nginx.Twin);
        Assert.Equal(Grade.A, nginx.TwinGrade);
        Assert.Equal(new VulnerabilityCounts(2, 5, 8, 11, 0), nginx.Removes);
        Assert.Equal(3, picture.FixFirst[1].Score);
        Assert.Null(picture.FixFirst[1].Twin);
        Assert.Null(picture.FixFirst[1].Removes);
    }

    [Fact]
    public void Aggregate_ImageNoPolicyJudges_TwinComesFromTheSourcesMappings()
    {
        var picture = Run(rewrite: false, manifests: false, Pod("kube-system", "a", "nginx:1.25"));

        var nginx = Assert.Single(picture.FixFirst);
        Assert.Equal("dhi.io/nginx:1.25", nginx.Twin);
        Assert.Equal(new VulnerabilityCounts(2, 5, 8, 11, 0), nginx.Removes);
        Assert.Equal(new VulnerabilityCounts(2, 5, 8, 11, 0), picture.Total.Avoidable);
    }

    [Fact]
    public void Aggregate_ExceptionsInForce_ListsThoseEndingWithin30DaysAndCountsTheirContainers()
    {
        var picture = Run(rewrite: false, manifests: false,
            Pod("legacy", "d", "docker.io/bitnami/legacy:1"),
            Pod("legacy", "e", "docker.io/bitnami/legacy:2"),
            Pod("other", "f", "docker.io/bitnami/legacy:1"));

        var soon = Assert.Single(picture.ExpiringExceptions);
        Assert.Equal("ClusterImagePolicy/baseline", soon.Policy);
        Assert.Equal(["docker.io/bitnami/legacy:*"], soon.Images);
        Assert.Equal(["legacy"], soon.Namespaces);
        Assert.Equal(10, soon.DaysLeft);
        Assert.Equal("SEC-1 soon", soon.Reason);
        // Only the legacy namespace is covered; the Pod in "other" is not.
        Assert.Equal(2, soon.Containers);
        Assert.Same(soon, picture.NextException);
    }

    [Fact]
    public void Aggregate_LaterClock_NextExceptionIsBeyondTheWindowAndExpiredOnesAreLeftOut()
    {
        var picture = Run(rewrite: false, manifests: false, now: new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), Pod("prod", "a", "dhi.io/nginx:1.25"));

        Assert.Empty(picture.ExpiringExceptions);
        Assert.Equal("SEC-2 later", picture.NextException!.Reason);
    }

    [Fact]
    public void Aggregate_ManifestsWithRewrites_CountTwinAsHardenedAndSumAvoided()
    {
        var picture = Run(rewrite: true, manifests: true,
            Pod("prod", "a", "nginx:1.25"),
            Deployment("prod", "web", "nginx:1.25"));

        var prod = Assert.Single(picture.Namespaces);
        Assert.Equal((2, 2, 0, 2), (prod.Containers, prod.Hardened, prod.NotHardened, prod.Rewritten));
        // They run the twin: its grade and counts.
        Assert.Equal(new GradeCounts(2, 0, 0, 0, 0, 0, 0), prod.Grades);
        Assert.Equal(new VulnerabilityCounts(0, 0, 4, 18, 6), prod.Vulnerabilities);
        Assert.Equal(new VulnerabilityCounts(4, 10, 16, 22, 0), picture.AvoidedByRewrites);
        Assert.Empty(picture.FixFirst);
    }

    [Fact]
    public void Aggregate_NoWorkloads_GivesAnEmptyPicture()
    {
        var picture = Run(rewrite: false, manifests: false);

        Assert.Equal(0, picture.Total.Containers);
        Assert.Equal(0, picture.Total.HardenedShare);
        Assert.Empty(picture.Namespaces);
        Assert.Empty(picture.FixFirst);
    }

    [Fact]
    public void Removed_SourceOrTwinUnscanned_IsNull()
    {
        var (_, scans) = Load(rewrite: false);

        Assert.Null(VulnerabilityCounts.Removed(scans, "nginx:1.25", "dhi.io/redis:7"));
        Assert.Null(VulnerabilityCounts.Removed(scans, "Not A Reference", "dhi.io/nginx:1.25"));
        Assert.Equal(new VulnerabilityCounts(2, 5, 8, 11, 0), VulnerabilityCounts.Removed(scans, "nginx:1.25", "dhi.io/nginx:1.25"));
    }

    private static (PolicySnapshot Snapshot, IScanFacts Scans) Load(bool rewrite)
    {
        var set = new ManifestSet();
        set.AddText(Policies.Replace("REWRITE", rewrite ? "true" : "false", StringComparison.Ordinal), "policies.yaml");
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        var scans = ScanIndex.Build(set.Scans, GradeScale.Default);
        Assert.Empty(scans.Errors);
        return (snapshot, scans.Index);
    }

    private static AdoptionPicture Run(bool rewrite, bool manifests, params Manifest[] workloads) => Run(rewrite, manifests, Now, workloads);

    private static AdoptionPicture Run(bool rewrite, bool manifests, DateTimeOffset now, params Manifest[] workloads)
    {
        var (snapshot, scans) = Load(rewrite);
        var time = new FakeTimeProvider(now);
        var engine = new PolicyEngine(scans, NoRegistryFacts.Instance, time);
        var judged = workloads.Select(m =>
        {
            var ns = m.Object.Metadata!.Namespace!;
            var input = new EvaluationInput(m.Kind, m.Object, ns, NamespaceLabels.Of(ns), JudgeRewritten: manifests);
            var rewrites = manifests ? engine.Evaluate(snapshot, input, EvaluationPurpose.Mutate).Rewrites : null;
            return new JudgedWorkload(ns, m.Kind, m.Object.Metadata.Name!, m.Object, engine.Evaluate(snapshot, input, EvaluationPurpose.Validate), rewrites);
        });
        return AdoptionAggregator.Aggregate(judged.ToList(), snapshot, scans, time);
    }

    private static Manifest Pod(string ns, string name, params string[] images) => Read($$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
          containers: [{{string.Join(", ", images.Select((image, i) => $"{{name: c{i}, image: \"{image}\"}}"))}}]
        """);

    private static Manifest Deployment(string ns, string name, string image) => Read($$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
          template:
            spec:
              containers: [{name: c0, image: "{{image}}"}]
        """);

    private static Manifest Read(string yaml)
    {
        var set = new ManifestSet();
        set.AddText(yaml, "test.yaml");
        Assert.Empty(set.Errors);
        return Assert.Single(set.Workloads);
    }
}
