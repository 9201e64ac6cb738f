using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Policies;

/// <summary>The per-namespace index returns exactly the policies whose name-based match holds, in snapshot order.</summary>
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
}
