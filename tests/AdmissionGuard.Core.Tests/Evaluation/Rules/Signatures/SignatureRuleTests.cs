using System.Security.Cryptography;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using AdmissionGuard.Signatures;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Evaluation.Rules.Signatures;

/// <summary>The rule's semantics over given facts (API.md section 6), compile errors with field paths, and pinning in /mutate.</summary>
public class SignatureRuleTests
{
    private const string Image = "registry.example.com/team/app:1.0";
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly string Pem = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem();

    private static string Policy(string rule, string rewrite = "") => $$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: signed}
        spec:
          rules:
            signatures:
        {{rule}}
        {{rewrite}}
        """;

    private static string Keys => $"""
              keys:
                - name: k1
                  publicKey: |
        {string.Join('\n', Pem.TrimEnd().Split('\n').Select(l => "                " + l))}
                - name: k2
                  secretRef: {"{"}namespace: admission-guard, name: team-cosign, key: cosign.pub{"}"}
        """;

    private static PolicySnapshot Compile(string yaml)
    {
        var set = new ManifestSet();
        set.AddText(yaml, "policy.yaml");
        Assert.Empty(set.Errors);
        return PolicyCompiler.Compile(set.Sources, set.Policies);
    }

    private static Verdict Evaluate(PolicySnapshot snapshot, IRegistryFacts facts, string image = Image, EvaluationPurpose purpose = EvaluationPurpose.Validate)
    {
        Assert.Empty(snapshot.Errors);
        var set = new ManifestSet();
        set.AddText(PodJson(image), "pod.json");
        var engine = new PolicyEngine(ScanIndex.Empty, facts, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        return engine.Evaluate(snapshot, new EvaluationInput("Pod", set.Workloads.Single().Object, "default", new Dictionary<string, string>()), purpose);
    }

    private static string PodJson(string image) =>
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"web","image":"IMAGE"}]}}""".Replace("IMAGE", image, StringComparison.Ordinal);

    private static string Reason(Verdict verdict) => Assert.Single(Assert.Single(verdict.Images).Violations).Reason;

    private sealed class Facts(SignatureFact signature, RegistryFact? tag = null) : IRegistryFacts
    {
        public List<SignatureQuery> Asked { get; } = [];

        public RegistryFact Lookup(string normalizedReference) => tag ?? new RegistryFact(RegistryFactState.Exists, Digest);

        public SignatureFact Signatures(SignatureQuery query)
        {
            Asked.Add(query);
            return signature;
        }
    }

    private static SignatureFact Fact(SignatureState state, params string[] attestations) => new(state, state == SignatureState.Verified ? "k1" : null, new HashSet<string>(attestations), null);

    [Theory]
    [InlineData(SignatureState.Unsigned, "is not signed by any of [k1, k2]")]
    [InlineData(SignatureState.Invalid, "is not signed by any of [k1, k2]")]
    [InlineData(SignatureState.Unknown, "signature could not be checked yet")]
    [InlineData(SignatureState.Unreachable, "signature could not be checked: its registry is unreachable or refused access")]
    public void Evaluate_RequiredAndNotVerified_FailsWithTheContractReason(SignatureState state, string reason)
    {
        var verdict = Evaluate(Compile(Policy(Keys)), new Facts(Fact(state)));

        Assert.False(verdict.Allowed);
        Assert.Equal(reason, Reason(verdict));
    }

    [Fact]
    public void Evaluate_Verified_AllowsAndAsksForTheResolvedDigestInTheImagesRepository()
    {
        var facts = new Facts(Fact(SignatureState.Verified));

        Assert.True(Evaluate(Compile(Policy(Keys)), facts).Allowed);

        var query = Assert.Single(facts.Asked);
        Assert.Equal(Digest, query.Digest);
        Assert.Equal("registry.example.com/team/app", query.Repository);
    }

    [Fact]
    public void Evaluate_TagNotResolvedYet_SaysNotCheckedYet() =>
        Assert.Equal("signature could not be checked yet", Reason(Evaluate(Compile(Policy(Keys)), new Facts(Fact(SignatureState.Verified), RegistryFact.Unknown))));

    [Fact]
    public void Evaluate_TagAndDigest_AsksForTheWrittenDigest()
    {
        const string written = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        var facts = new Facts(Fact(SignatureState.Verified));

        Evaluate(Compile(Policy(Keys)), facts, $"{Image}@{written}");

        Assert.Equal(written, Assert.Single(facts.Asked).Digest);
    }

    [Theory]
    [InlineData(SignatureState.Unsigned, true)]
    [InlineData(SignatureState.Verified, true)]
    [InlineData(SignatureState.Invalid, false)]
    public void Evaluate_NotRequired_PassesUnsignedButNotInvalid(SignatureState state, bool allowed) =>
        Assert.Equal(allowed, Evaluate(Compile(Policy("      required: false\n" + Keys)), new Facts(Fact(state))).Allowed);

    [Fact]
    public void Evaluate_AttestationsAreRequiredEvenWhenSignaturesAreNot()
    {
        var policy = Compile(Policy("      required: false\n" + Keys + "\n      attestations:\n        - predicateType: https://slsa.dev/provenance/v1\n        - predicateType: https://cyclonedx.org/bom/v1.6"));

        Assert.Equal("has no signed attestation https://cyclonedx.org/bom/v1.6", Reason(Evaluate(policy, new Facts(Fact(SignatureState.Unsigned, "https://slsa.dev/provenance/v1")))));
        Assert.True(Evaluate(policy, new Facts(Fact(SignatureState.Unsigned, "https://slsa.dev/provenance/v1", "https://cyclonedx.org/bom/v1.6"))).Allowed);
    }

    [Fact]
    public void Evaluate_RepositoryTemplate_AsksThere()
    {
        var facts = new Facts(Fact(SignatureState.Verified));

        Evaluate(Compile(Policy("      repository: \"registry.scout.docker.com/acme/{name}\"\n" + Keys)), facts);

        Assert.Equal("registry.scout.docker.com/acme/app", Assert.Single(facts.Asked).Repository);
        Assert.Equal("registry.example.com/team/app", facts.Asked[0].ImageRepository);
    }

    [Fact]
    public void Evaluate_WithoutARegistry_WarnsNotEvaluatedAndAllows()
    {
        var snapshot = Compile(Policy(Keys));
        var set = new ManifestSet();
        set.AddText(PodJson(Image), "pod.json");
        var engine = new PolicyEngine(ScanIndex.Empty, NoRegistryFacts.Instance, TimeProvider.System);

        var verdict = engine.Evaluate(snapshot, new EvaluationInput("Pod", set.Workloads.Single().Object, "default", new Dictionary<string, string>()), EvaluationPurpose.Validate);

        Assert.True(verdict.Allowed);
        Assert.Contains(verdict.Warnings, w => w.Contains("signatures were not evaluated offline", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_OfflineFactsThatAssumeTagsExistWithoutADigest_WarnsNotEvaluatedAndAllows()
    {
        // As check without --registry: every tag is assumed to exist, no digest is known, nothing is fetched.
        var facts = new OfflineFacts();

        var verdict = Evaluate(Compile(Policy(Keys)), facts);

        Assert.True(verdict.Allowed, verdict.Message);
        Assert.Contains(verdict.Warnings, w => w.Contains("signatures were not evaluated offline", StringComparison.Ordinal));
        Assert.Equal(0, facts.SignatureQueries);
    }

    private sealed class OfflineFacts : IRegistryFacts
    {
        public int SignatureQueries { get; private set; }

        public bool Offline => true;

        public RegistryFact Lookup(string normalizedReference) => new(RegistryFactState.Exists, null);

        public SignatureFact Signatures(SignatureQuery query)
        {
            SignatureQueries++;
            return SignatureFact.Unknown;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  rewrite: {enabled: false, pinDigest: false}")]
    public void Mutate_SignaturesRule_PinsTheDigestKeepingTheTag(string rewrite)
    {
        var verdict = Evaluate(Compile(Policy(Keys, rewrite)), new Facts(Fact(SignatureState.Verified)), purpose: EvaluationPurpose.Mutate);

        Assert.Equal($"{Image}@{Digest}", Assert.Single(verdict.Rewrites).To);
    }

    [Theory]
    [InlineData("      keys: []", "spec.rules.signatures.keys")]
    [InlineData("      keys:\n        - name: a\n          publicKey: nonsense", "spec.rules.signatures.keys[0].publicKey")]
    [InlineData("      keys:\n        - publicKey: nonsense", "spec.rules.signatures.keys[0].name")]
    [InlineData("      keys:\n        - name: a", "spec.rules.signatures.keys[0]")]
    [InlineData("      keys:\n        - name: a\n          secretRef: {name: s, key: k}", "spec.rules.signatures.keys[0].secretRef.namespace")]
    [InlineData("      keys:\n        - name: a\n          secretRef: {namespace: n, name: s}", "spec.rules.signatures.keys[0].secretRef.key")]
    [InlineData("      transparencyLog: require\n      keys:\n        - name: a\n          secretRef: {namespace: n, name: s, key: k}", "spec.rules.signatures.transparencyLog")]
    [InlineData("      repository: \"r.example.com/{name}:{tag}\"\n      keys:\n        - name: a\n          secretRef: {namespace: n, name: s, key: k}", "spec.rules.signatures.repository")]
    [InlineData("      attestations: [{}]\n      keys:\n        - name: a\n          secretRef: {namespace: n, name: s, key: k}", "spec.rules.signatures.attestations[0].predicateType")]
    public void Compile_BadRule_ReportsTheFieldPath(string rule, string field)
    {
        var snapshot = Compile(Policy(rule));

        Assert.Contains(snapshot.Errors, e => e.Field == field);
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_ImagePolicyReadingAnotherNamespacesSecret_IsAnError()
    {
        var snapshot = Compile("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ImagePolicy
            metadata: {name: team, namespace: team-a}
            spec:
              rules:
                signatures:
                  keys:
                    - name: a
                      secretRef: {namespace: kube-system, name: s, key: k}
            """);

        Assert.Contains(snapshot.Errors, e => e.Field == "spec.rules.signatures.keys[0].secretRef.namespace");
    }

    [Theory]
    [InlineData("Ignore", true)]
    [InlineData("Require", true)]
    [InlineData("require", false)]
    [InlineData("Sometimes", false)]
    public void Compile_TransparencyLog_AcceptsExactlyTheTwoModes(string mode, bool valid)
    {
        // A mode that stopped being recognized would make every policy that names it invalid (and so enforce nothing).
        var snapshot = Compile(Policy($"      transparencyLog: {mode}\n" + Keys));

        Assert.Equal(valid, snapshot.Errors.Count == 0);
        if (!valid)
        {
            Assert.Contains(snapshot.Errors, e => e.Field == "spec.rules.signatures.transparencyLog");
        }
    }
}
