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

    [Fact]
    public void TryParse_EveryThreshold_IsSetFromItsOwnKey()
    {
        const string text = "eoslIsF: true\nfixableCriticalForE: 2\ncriticalForD: 3\nhighForC: 4\nfixableHighForC: 6\nhighForB: 7\n";
        Assert.True(GradeScaleFile.TryParse(text, out var scale, out var error), error);
        Assert.Null(error);
        Assert.Equal(
            (true, 2, 3, 4, 6, 7),
            (scale.EoslIsF, scale.FixableCriticalForE, scale.CriticalForD, scale.HighForC, scale.FixableHighForC, scale.HighForB));
    }

    [Fact]
    public void TryParse_OffAndZero_AreAccepted()
    {
        Assert.True(GradeScaleFile.TryParse("fixableCriticalForE: off\ncriticalForD: off\nhighForB: 0\nhighForC: 0\n", out var scale, out var error), error);
        Assert.Equal((int.MaxValue, int.MaxValue, 0, 0), (scale.FixableCriticalForE, scale.CriticalForD, scale.HighForB, scale.HighForC));

        // With the E and D lines off, a fixable critical grades by its highs; highForB 0 makes even no high a B.
        Assert.Equal(Grade.B, scale.Compute(eosl: false, critical: 3, high: 0, fixableCritical: 3, fixableHigh: 0));
        Assert.Equal(Grade.C, scale.Compute(eosl: false, critical: 0, high: 1, fixableCritical: 0, fixableHigh: 0));
    }

    [Fact]
    public void TryParse_EmptyMapping_IsTheDefault()
    {
        Assert.True(GradeScaleFile.TryParse("{}", out var scale, out var error), error);
        Assert.Equal(GradeScale.Default, scale);
    }

    [Theory]
    [InlineData("highForB: on", "highForB: must be a count")]
    [InlineData("highForB: \"3\"", "highForB: must be a count")]
    [InlineData("highForB: 1.5", "highForB: must be a count")]
    [InlineData("highForB: 99999999999", "highForB: must be a count")]
    [InlineData("highForB: true", "highForB: must be a count")]
    [InlineData("eoslIsF: \"yes\"", "eoslIsF: must be true or false")]
    [InlineData("highForC: 2\n---\nhighForB: 2", "one YAML mapping")]
    [InlineData("", "one YAML mapping")]
    [InlineData("7", "one YAML mapping")]
    public void TryParse_BadValueOrShape_IsRejected(string text, string expected)
    {
        Assert.False(GradeScaleFile.TryParse(text, out var scale, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(GradeScale.Default, scale);
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
