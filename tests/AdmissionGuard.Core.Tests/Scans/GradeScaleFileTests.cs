using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Scans;

public class GradeScaleFileTests
{
    private const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: grades}
        spec:
          rules:
            scan: {minGrade: B}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: sha256-1111111111111111111111111111111111111111}
        spec:
          image: docker.io/library/nginx:1.25
          digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
          scannedAt: "2026-11-20T10:00:00Z"
          vulnerabilities: {critical: 0, high: 3, medium: 0, low: 0, unknown: 0}
          fixable: {critical: 0, high: 0}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: default}
        spec:
          containers: [{name: web, image: "nginx:1.25"}]
        """;

    [Fact]
    public void TryParse_PartialFile_KeepsDefaultsForWhatIsNotWritten()
    {
        Assert.True(GradeScaleFile.TryParse("highForC: 2\nfixableHighForC: off\neoslIsF: false\n", out var scale, out var error), error);

        Assert.Equal(2, scale.HighForC);
        Assert.Equal(int.MaxValue, scale.FixableHighForC);
        Assert.False(scale.EoslIsF);
        Assert.Equal(GradeScale.Default.CriticalForD, scale.CriticalForD);
    }

    [Theory]
    [InlineData("highForc: 2", "highForc: unknown threshold")]
    [InlineData("highForC: -1", "highForC: must be a count")]
    [InlineData("highForC: many", "highForC: must be a count")]
    [InlineData("eoslIsF: 1", "eoslIsF: must be true or false")]
    [InlineData("- highForC", "one YAML mapping")]
    [InlineData("highForC: [1", "invalid YAML")]
    public void TryParse_BadFile_NamesTheField(string text, string expected)
    {
        Assert.False(GradeScaleFile.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ChangedHighThreshold_TurnsAllowIntoDeny()
    {
        Assert.True(GradeScaleFile.TryParse("highForC: 2", out var strict, out _));

        Assert.True(Decide(GradeScale.Default).Allowed);   // 3 high: grade B by default
        var denied = Decide(strict);                       // more than 2 high: grade C
        Assert.False(denied.Allowed);
        Assert.Contains("grade C", denied.Message, StringComparison.Ordinal);
    }

    private static Verdict Decide(GradeScale scale)
    {
        var set = new ManifestSet();
        set.AddText(Policies, "test");
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        var scans = ScanIndex.Build(set.Scans, scale);
        Assert.Empty(scans.Errors);
        var engine = new PolicyEngine(scans.Index, NoRegistryFacts.Instance, new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero)));
        var pod = set.Workloads[0];
        return engine.Evaluate(snapshot, new EvaluationInput(pod.Kind, pod.Object, "default", set.LabelsOf("default")), EvaluationPurpose.Validate);
    }
}
