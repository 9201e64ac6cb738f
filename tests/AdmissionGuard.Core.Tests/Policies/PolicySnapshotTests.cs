using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;
using AdmissionGuard.Tests.Images;

namespace AdmissionGuard.Tests.Policies;

/// <summary>
/// The per-namespace index returns exactly the policies whose name-based match holds, in snapshot order; the trace and
/// audit lists name the policies whose whole match holds (and, for audit, that select the image).
/// </summary>
public sealed class PolicySnapshotTests
{
    private const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: a-everywhere}
        spec: {mode: Warn, rules: {tags: {disallowed: [latest]}}}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: b-teams}
        spec: {mode: Warn, match: {namespaces: ["team-*"], excludeNamespaces: ["team-legacy"]}, rules: {tags: {disallowed: [latest]}}}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImagePolicy
        metadata: {name: c-own, namespace: team-web}
        spec: {mode: Enforce, rules: {tags: {disallowed: [latest]}}}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: d-prod}
        spec: {mode: Enforce, match: {namespaces: [prod], namespaceSelector: {matchLabels: {tier: prod}}}, rules: {tags: {disallowed: [latest]}}}
        """;

    private static PolicySnapshot Compile()
    {
        var set = new ManifestSet();
        set.AddText(Policies, "policies.yaml");
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        return snapshot;
    }

    [Theory]
    [InlineData("team-web", "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/b-teams,ImagePolicy/team-web/c-own")]
    [InlineData("team-api", "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/b-teams")]
    [InlineData("team-legacy", "ClusterImagePolicy/a-everywhere")]
    [InlineData("prod", "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/d-prod")]
    [InlineData("kube-system", "ClusterImagePolicy/a-everywhere")]
    public void CandidatesFor_Namespace_PoliciesItsNameCanMatchInOrder(string ns, string expected)
    {
        var snapshot = Compile();

        var first = snapshot.CandidatesFor(ns);
        var again = snapshot.CandidatesFor(ns);

        Assert.Equal(expected, string.Join(",", first.Select(p => p.Id)));
        Assert.Same(first, again);
    }

    [Fact]
    public void Empty_HasNoPoliciesSourcesErrorsOrInvalidOnes()
    {
        var empty = PolicySnapshot.Empty;

        Assert.Equal((0, 0), (empty.PolicyCount, empty.SourceCount));
        Assert.Empty(empty.Errors);
        Assert.Empty(empty.InvalidPolicyIds);
        Assert.Empty(empty.CandidatesFor("default"));
        Assert.Empty(empty.WithErrors([]).InvalidPolicyIds);
    }

    [Theory]
    [InlineData("prod", "tier=prod", "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/d-prod")]
    [InlineData("prod", "tier=dev", "ClusterImagePolicy/a-everywhere")]
    [InlineData("prod", null, "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/d-prod")]
    [InlineData("team-web", null, "ClusterImagePolicy/a-everywhere,ClusterImagePolicy/b-teams,ImagePolicy/team-web/c-own")]
    [InlineData("team-legacy", "tier=prod", "ClusterImagePolicy/a-everywhere")]
    public void PolicyIdsMatching_NamespaceAndLabels_EveryPolicyWhoseMatchHolds(string ns, string? namespaceLabel, string expected)
    {
        var labels = namespaceLabel is null ? null : new Dictionary<string, string> { [namespaceLabel.Split('=')[0]] = namespaceLabel.Split('=')[1] };

        Assert.Equal(expected, string.Join(",", Compile().PolicyIdsMatching(ns, labels, null)));
    }

    [Fact]
    public void PolicyIdsJudging_OnlyPoliciesThatMatchAndSelectTheImage()
    {
        var set = new ManifestSet();
        set.AddText("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: library}
            spec: {images: {include: ["docker.io/library/*"]}}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: not-busybox}
            spec: {images: {exclude: ["docker.io/library/busybox"]}}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: web-pods}
            spec: {match: {podSelector: {matchLabels: {tier: web}}}}
            """, "policies.yaml");
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        var web = new Dictionary<string, string> { ["tier"] = "web" };

        Assert.Equal(
            ["ClusterImagePolicy/library", "ClusterImagePolicy/not-busybox", "ClusterImagePolicy/web-pods"],
            snapshot.PolicyIdsJudging("default", null, web, TestImages.Parse("nginx:1.25")));
        Assert.Equal(["ClusterImagePolicy/library"], snapshot.PolicyIdsJudging("default", null, null, TestImages.Parse("busybox")));
        Assert.Equal(["ClusterImagePolicy/not-busybox", "ClusterImagePolicy/web-pods"], snapshot.PolicyIdsJudging("default", null, web, TestImages.Parse("quay.io/team/app:1")));
    }
}
