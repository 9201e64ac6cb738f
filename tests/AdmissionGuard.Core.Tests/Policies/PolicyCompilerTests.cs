using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Policies;

public class PolicyCompilerTests
{
    private const string Source = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: dhi}
        spec:
          hardened: ["dhi.io/**"]
          mappings:
            - {from: "docker.io/library/*", to: "dhi.io/{name}:{tag}"}
        ---
        """;

    private static ManifestSet Read(string yaml)
    {
        var set = new ManifestSet();
        set.AddText(yaml, "test.yaml");
        return set;
    }

    private static PolicySnapshot Compile(string policySpec)
    {
        var set = Read(Source + "\n" + $"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {"{"}name: production{"}"}
            spec:
            {policySpec}
            """);
        Assert.Empty(set.Errors);
        return PolicyCompiler.Compile(set.Sources, set.Policies);
    }

    private static PolicyError SingleError(PolicySnapshot snapshot)
    {
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(0, snapshot.PolicyCount);
        return error;
    }

    [Fact]
    public void Compile_SourceWithEmptyMappingItem_ReportsItsPathAndDropsTheSource()
    {
        var set = Read("""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: broken}
            spec:
              hardened: ["dhi.io/**"]
              mappings:
                - 
            """);
        Assert.Empty(set.Errors);

        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("HardenedImageSource/broken", "spec.mappings[0]"), (error.ObjectId, error.Field));
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, snapshot.SourceCount);
    }

    [Fact]
    public void Compile_ValidPolicy_HasNoErrors()
    {
        var snapshot = Compile("""
              mode: Enforce
              rules:
                hardened: {required: true, sources: [dhi]}
                scan: {minGrade: B, maxAge: 168h, onMissing: Warn}
              exceptions:
                - {images: ["docker.io/bitnami/legacy:*"], expires: "2027-03-31T00:00:00Z", reason: "SEC-123"}
            """);
        Assert.Empty(snapshot.Errors);
        Assert.Equal(1, snapshot.PolicyCount);
        Assert.Equal(1, snapshot.SourceCount);
    }

    [Theory]
    [InlineData("  mode: enforce", "spec.mode", "\"enforce\" is not one of")]
    [InlineData("  rules:\n    scan: {minGrade: G}", "spec.rules.scan.minGrade", "\"G\"")]
    [InlineData("  rules:\n    scan: {minGrade: b}", "spec.rules.scan.minGrade", "\"b\"")]
    [InlineData("  rules:\n    scan: {maxAge: 7d}", "spec.rules.scan.maxAge", "\"7d\"")]
    [InlineData("  rules:\n    scan: {maxAge: \"-1h\"}", "spec.rules.scan.maxAge", "positive duration")]
    [InlineData("  rules:\n    scan: {onMissing: deny}", "spec.rules.scan.onMissing", "\"deny\"")]
    [InlineData("  rules:\n    scan: {maxCritical: -1}", "spec.rules.scan.maxCritical", "0 or more")]
    [InlineData("  rules:\n    scan: {maxHigh: -1}", "spec.rules.scan.maxHigh", "0 or more")]
    [InlineData("  rules:\n    scan: {maxAge: 0s}", "spec.rules.scan.maxAge", "positive duration")]
    [InlineData("  rules:\n    registries: {allowed: [\"registry.example.com/team\", \"https://registry.example.com\"]}", "spec.rules.registries.allowed[1]", "no scheme; write \"registry.example.com\"")]
    [InlineData("  rules:\n    tags: {disallowed: [\"team/app\"]}", "spec.rules.tags.disallowed[0]", "not a tag glob")]
    [InlineData("  rules:\n    tags: {disallowed: [\"latest\", \"  \"]}", "spec.rules.tags.disallowed[1]", "not a tag glob")]
    [InlineData("  rules:\n    hardened: {required: true, sources: [dhi, chainguard]}", "spec.rules.hardened.sources[1]", "\"chainguard\"")]
    [InlineData("  rules:\n    hardened: {required: true, sources: []}", "spec.rules.hardened.sources", "at least one")]
    [InlineData("  images:\n    exclude: [\"registry.k8s.io/***\"]", "spec.images.exclude[0]", "\"***\"")]
    [InlineData("  images:\n    include: [\"\"]", "spec.images.include[0]", "empty")]
    [InlineData("  rules:\n    registries: {allowed: []}", "spec.rules.registries.allowed", "must not be empty")]
    [InlineData("  rules:\n    tags: {disallowed: [\"nginx:latest\"]}", "spec.rules.tags.disallowed[0]", "not a tag glob")]
    [InlineData("  rewrite: {target: Pod}", "spec.rewrite.target", "\"Pod\"")]
    [InlineData("  match:\n    namespaces: [\"Payments\"]", "spec.match.namespaces[0]", "not a namespace name")]
    [InlineData("  match:\n    namespaceSelector: {matchExpressions: [{key: env, operator: Equals, values: [a]}]}", "spec.match.namespaceSelector.matchExpressions[0].operator", "\"Equals\"")]
    [InlineData("  match:\n    podSelector: {matchExpressions: [{key: tier, operator: In}]}", "spec.match.podSelector.matchExpressions[0].values", "non-empty")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], reason: \"SEC-1\"}", "spec.exceptions[0].expires", "required")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"2027-03-31\", reason: \"SEC-1\"}", "spec.exceptions[0].expires", "RFC 3339")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"2027-03-31T00:00:00\", reason: \"SEC-1\"}", "spec.exceptions[0].expires", "RFC 3339")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"2027-03-31T00:00:00Z\"}", "spec.exceptions[0].reason", "required")]
    [InlineData("  exceptions:\n    - {images: [], expires: \"2027-03-31T00:00:00Z\", reason: \"SEC-1\"}", "spec.exceptions[0].images", "at least one")]
    // Null list items ("- " with nothing after it): errors with the path, never a crash (the first found by fuzzing).
    [InlineData("  exceptions:\n    - ", "spec.exceptions[0]", "is empty")]
    [InlineData("  rules:\n    hardened: {required: true, sources: [dhi, null]}", "spec.rules.hardened.sources[1]", "does not exist")]
    [InlineData("  match:\n    podSelector: {matchExpressions: [null]}", "spec.match.podSelector.matchExpressions[0]", "is empty")]
    public void Compile_InvalidPolicyField_ReportsItsPathAndDropsThePolicy(string spec, string field, string fragment)
    {
        var error = SingleError(Compile(spec));
        Assert.Equal(field, error.Field);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal("ClusterImagePolicy/production", error.ObjectId);
    }

    // Zero is the strictest limit, not an invalid one.
    [Fact]
    public void Compile_ScanLimitsOfZero_AreValid()
    {
        var snapshot = Compile("""
              rules:
                scan: {maxCritical: 0, maxHigh: 0, maxAge: 1s}
            """);
        Assert.Empty(snapshot.Errors);
        Assert.Equal(1, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_SeveralBadFields_ReportsEachOne()
    {
        var snapshot = Compile("""
              mode: Deny
              rules:
                scan: {minGrade: Z, maxAge: 1w}
            """);
        Assert.Equal(["spec.mode", "spec.rules.scan.maxAge", "spec.rules.scan.minGrade"], snapshot.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Theory]
    [InlineData("dhi.io/{image}:{tag}", "unknown variable {image}")]
    [InlineData("dhi.io/{name:{tag}", "unknown variable")]
    [InlineData("dhi.io/{name", "unclosed")]
    [InlineData("", "required")]
    public void Compile_BadMappingTemplate_ReportsMappingPath(string to, string fragment)
    {
        var set = Read($$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: dhi}
            spec:
              hardened: ["dhi.io/**"]
              mappings:
                - {from: "docker.io/library/*", to: "{{to}}"}
            """);
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("HardenedImageSource/dhi", error.ObjectId);
        Assert.Equal("spec.mappings[0].to", error.Field);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, snapshot.SourceCount);
    }

    [Fact]
    public void Compile_PolicyNamingInvalidSource_ReportsBothAndDropsBoth()
    {
        var set = Read("""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: dhi}
            spec:
              hardened: ["dhi.io/***"]
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: production}
            spec:
              rules:
                hardened: {required: true, sources: [dhi]}
            """);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Contains(snapshot.Errors, e => e.ObjectId == "HardenedImageSource/dhi" && e.Field == "spec.hardened[0]");
        Assert.Contains(snapshot.Errors, e => e.ObjectId == "ClusterImagePolicy/production" && e.Field == "spec.rules.hardened.sources[0]");
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_ImagePolicyWithoutNamespace_ReportsMetadataNamespace()
    {
        var set = Read("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ImagePolicy
            metadata: {name: team}
            spec:
              rules:
                tags: {disallowed: [latest]}
            """);
        var error = SingleError(PolicyCompiler.Compile(set.Sources, set.Policies));
        Assert.Equal("metadata.namespace", error.Field);
    }

    [Fact]
    public void Compile_DuplicatePolicyName_ReportsSecond()
    {
        const string policy = """
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: production}
            spec:
              rules:
                tags: {disallowed: [latest]}
            """;
        var set = Read(policy + "\n---\n" + policy);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("metadata.name", error.Field);
        Assert.Equal(1, snapshot.PolicyCount);
    }

    [Theory]
    [InlineData("  rules:\n    tags: {forbidden: [latest]}", "spec.rules.tags", "forbidden")]
    [InlineData("  mode: Enforce\n  enforcement: strict", "spec", "enforcement")]
    [InlineData("  rewrite: {enabled: true, pin: true}", "spec.rewrite", "pin")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expiry: \"2027-01-01T00:00:00Z\", reason: x}", "spec.exceptions[0]", "expiry")]
    public void Read_UnknownSpecField_IsRejectedWithItsPath(string spec, string path, string field)
    {
        var set = Read($"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {"{"}name: production{"}"}
            spec:
            {spec}
            """);
        var error = Assert.Single(set.Errors);
        Assert.Empty(set.Policies);
        Assert.Contains("ClusterImagePolicy \"production\"", error, StringComparison.Ordinal);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains(field, error, StringComparison.Ordinal);
    }
}
