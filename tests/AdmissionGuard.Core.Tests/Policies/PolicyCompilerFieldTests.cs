using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;
using AdmissionGuard.Tests.Images;

namespace AdmissionGuard.Tests.Policies;

/// <summary>
/// Every field of the policy kinds reaches the compiled policy with the meaning and default that docs/reference.md
/// gives it, and each object-level check (apiVersion, kind, name, namespace, spec) drops exactly the object it names.
/// </summary>
public class PolicyCompilerFieldTests
{
    private const string Sources = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: zeta}
        spec:
          hardened: ["cgr.dev/chainguard/**"]
          mappings:
            - {from: "docker.io/library/*", to: "cgr.dev/chainguard/{name}:{tag}"}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: alpha}
        spec:
          hardened: ["dhi.io/**"]
          notHardened: ["**:*-dev"]
          verifyExists: false
          mappings:
            - {from: "docker.io/library/*", to: "dhi.io/{name}:{tag}"}
            - {from: "quay.io/**", to: "dhi.io/quay/{path}:{tag}"}
        ---
        """;

    private static ManifestSet Read(string yaml)
    {
        var set = new ManifestSet();
        set.AddText(yaml, "test.yaml");
        Assert.Empty(set.Errors);
        return set;
    }

    private static PolicySnapshot CompileYaml(string yaml)
    {
        var set = Read(yaml);
        return PolicyCompiler.Compile(set.Sources, set.Policies);
    }

    /// <summary>One valid ClusterImagePolicy "production" with <paramref name="spec"/>, next to the two sources above.</summary>
    private static CompiledPolicy CompileValid(string spec)
    {
        var snapshot = CompileYaml(Sources + $"""

            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {"{"}name: production{"}"}
            spec:
            {spec}
            """);
        Assert.Empty(snapshot.Errors);
        return Assert.Single(snapshot.Policies);
    }


    private static ImagePolicy Policy(string? kind, string? name, string? ns, ImagePolicySpec? spec, string? apiVersion = PolicyCompiler.ApiVersion) =>
        new() { ApiVersion = apiVersion, Kind = kind, Metadata = new ObjectMeta { Name = name, Namespace = ns }, Spec = spec };

    private static HardenedImageSource Source(string? name, HardenedImageSourceSpec? spec, string? apiVersion = PolicyCompiler.ApiVersion) =>
        new() { ApiVersion = apiVersion, Kind = HardenedImageSource.KindName, Metadata = name is null ? null : new ObjectMeta { Name = name }, Spec = spec };

    [Fact]
    public void Compile_EmptySpec_TakesEveryDocumentedDefault()
    {
        var policy = CompileValid("  {}");

        Assert.Equal(ImagePolicy.ClusterKind, policy.Kind);
        Assert.Equal("production", policy.Name);
        Assert.Null(policy.Namespace);
        Assert.Equal("ClusterImagePolicy/production", policy.Id);
        Assert.Equal(PolicyMode.Enforce, policy.Mode);
        Assert.False(policy.RewriteEnabled);
        Assert.False(policy.PinDigest);
        Assert.False(policy.VerifiesSignatures);
        Assert.Equal(RewriteTarget.Pods, policy.RewriteTarget);
        Assert.Empty(policy.Rules);
        Assert.Empty(policy.Exemptions);
        Assert.Empty(policy.Exclude);
        // images.include defaults to ["**"]: every image, from any registry.
        Assert.True(policy.Selects(TestImages.Parse("quay.io/team/app:1.0")));
        Assert.True(policy.Selects(TestImages.Parse("nginx")));
        // Without rules.hardened a policy rewrites with every HardenedImageSource, in name order.
        Assert.Equal(["alpha", "zeta"], policy.Sources.Select(s => s.Name));
        // No match: every namespace, whatever its labels and the Pod's.
        Assert.Null(policy.Match.Namespace);
        Assert.True(policy.Match.Matches("kube-system", new Dictionary<string, string> { ["env"] = "prod" }, new Dictionary<string, string> { ["app"] = "x" }));
        Assert.True(policy.Match.Matches("default", null, null));
    }

    [Theory]
    [InlineData("Enforce", PolicyMode.Enforce)]
    [InlineData("Warn", PolicyMode.Warn)]
    [InlineData("Audit", PolicyMode.Audit)]
    public void Compile_Mode_IsTheOneWritten(string mode, PolicyMode expected) =>
        Assert.Equal(expected, CompileValid($"  mode: {mode}").Mode);

    [Fact]
    public void Compile_Mode_IsWhatTheSnapshotReportsForTheId()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: audit-only}
            spec: {mode: Audit}
            """);

        Assert.Equal(PolicyMode.Audit, snapshot.ModeOf("ClusterImagePolicy/audit-only"));
        Assert.Null(snapshot.ModeOf("ClusterImagePolicy/other"));
    }

    [Theory]
    [InlineData("{enabled: true, pinDigest: true, target: Workloads}", true, true, RewriteTarget.Workloads)]
    [InlineData("{enabled: false, pinDigest: false, target: Pods}", false, false, RewriteTarget.Pods)]
    [InlineData("{enabled: true, pinDigest: false}", true, false, RewriteTarget.Pods)]
    [InlineData("{pinDigest: true, target: Workloads}", false, true, RewriteTarget.Workloads)]
    public void Compile_RewriteFields_AreKeptAsWritten(string rewrite, bool enabled, bool pinDigest, RewriteTarget target)
    {
        var policy = CompileValid($"  rewrite: {rewrite}");

        Assert.Equal((enabled, pinDigest, target), (policy.RewriteEnabled, policy.PinDigest, policy.RewriteTarget));
    }

    [Fact]
    public void Compile_RewriteEnabledWithoutAnySource_IsAnError()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: rewrite}
            spec: {rewrite: {enabled: true}}
            """);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("spec.rewrite.enabled", "rewriting needs at least one HardenedImageSource with mappings"), (error.Field, error.Message));
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_RewriteDisabledWithoutAnySource_IsValid()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: rewrite}
            spec: {rewrite: {enabled: false, pinDigest: true}}
            """);

        Assert.Empty(snapshot.Errors);
        Assert.True(Assert.Single(snapshot.Policies).PinDigest);
    }

    [Fact]
    public void Compile_ImagesIncludeAndExclude_SelectOnlyIncludedImagesNotExcluded()
    {
        var policy = CompileValid("""
              images:
                include: ["docker.io/library/*", "quay.io/team/**"]
                exclude: ["docker.io/library/busybox"]
            """);

        Assert.True(policy.Selects(TestImages.Parse("nginx:1.25")));
        Assert.True(policy.Selects(TestImages.Parse("quay.io/team/a/b:1")));
        Assert.False(policy.Selects(TestImages.Parse("busybox:1.36")));
        Assert.False(policy.Selects(TestImages.Parse("gcr.io/distroless/static")));
    }

    [Fact]
    public void Compile_ImagesIncludeEmpty_IsTheDefaultEveryImage()
    {
        // An empty list is the default ["**"], never "no image": a policy that looks at nothing would enforce nothing.
        var policy = CompileValid("""
              images: {include: []}
            """);

        Assert.True(policy.Selects(TestImages.Parse("nginx")));
        Assert.True(policy.Selects(TestImages.Parse("quay.io/team/app:1")));
    }

    [Fact]
    public void Compile_ImagesExcludeOnly_SelectsEverythingElse()
    {
        var policy = CompileValid("""
              images: {exclude: ["registry.k8s.io/**"]}
            """);

        Assert.True(policy.Selects(TestImages.Parse("nginx")));
        Assert.False(policy.Selects(TestImages.Parse("registry.k8s.io/pause:3.9")));
    }

    [Fact]
    public void Compile_HardenedRequired_AddsTheRuleWithTheSourcesInTheOrderWritten()
    {
        var policy = CompileValid("""
              rules:
                hardened: {required: true, sources: [zeta, alpha]}
            """);

        Assert.Equal([RuleNames.Hardened], policy.Rules.Select(r => r.Name));
        Assert.Equal(["zeta", "alpha"], policy.Sources.Select(s => s.Name));
    }

    [Theory]
    [InlineData("hardened: {sources: [zeta]}")]
    [InlineData("hardened: {required: false, sources: [zeta]}")]
    public void Compile_HardenedNotRequired_NoRuleButOnlyTheNamedSourcesRewrite(string rule)
    {
        var policy = CompileValid($"""
              rules:
                {rule}
            """);

        Assert.Empty(policy.Rules);
        Assert.Equal(["zeta"], policy.Sources.Select(s => s.Name));
    }

    [Fact]
    public void Compile_EveryRuleKind_IsCompiledInto_ItsRule()
    {
        var policy = CompileValid("""
              rules:
                hardened: {required: true, sources: [alpha]}
                registries: {allowed: [dhi.io]}
                tags: {disallowed: [latest]}
                scan: {minGrade: B}
                signatures:
                  keys:
                    - name: team
                      secretRef: {namespace: admission-guard, name: team-cosign, key: cosign.pub}
            """);

        Assert.Equal([RuleNames.Hardened, RuleNames.Registries, RuleNames.Tags, RuleNames.Scan, RuleNames.Signatures], policy.Rules.Select(r => r.Name));
        Assert.True(policy.VerifiesSignatures);
    }

    [Fact]
    public void Compile_SignaturesRule_ItsSecretIsListedForWatching()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: signed}
            spec:
              rules:
                signatures:
                  keys:
                    - name: team
                      secretRef: {namespace: admission-guard, name: team-cosign, key: cosign.pub}
            """);

        Assert.Empty(snapshot.Errors);
        Assert.Equal([new AdmissionGuard.Signatures.SecretKeyReference("admission-guard", "team-cosign", "cosign.pub")], snapshot.SignatureKeySecrets);
    }

    [Fact]
    public void Compile_Exception_KeepsImagesNamespacesExpiryAndReason()
    {
        var policy = CompileValid("""
              exceptions:
                - images: ["docker.io/bitnami/legacy:*"]
                  namespaces: ["legacy", "team-*"]
                  expires: "2027-03-31T00:00:00Z"
                  reason: "SEC-123 migration"
            """);

        var exemption = Assert.Single(policy.Exemptions);
        Assert.Equal(new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero), exemption.Expires);
        Assert.Equal("SEC-123 migration", exemption.Reason);
        Assert.Equal(["legacy", "team-*"], exemption.Namespaces.Select(n => n.Pattern));
        Assert.True(exemption.Covers(TestImages.Parse("docker.io/bitnami/legacy:1.0"), "team-a"));
        Assert.True(exemption.Covers(TestImages.Parse("docker.io/bitnami/legacy:1.0"), "legacy"));
        Assert.False(exemption.Covers(TestImages.Parse("docker.io/bitnami/legacy:1.0"), "prod"));
        Assert.False(exemption.Covers(TestImages.Parse("docker.io/bitnami/other:1.0"), "legacy"));
    }

    [Fact]
    public void Compile_ExceptionWithoutNamespaces_CoversEveryNamespace()
    {
        var policy = CompileValid("""
              exceptions:
                - {images: ["docker.io/bitnami/legacy:*"], expires: "2027-03-31T00:00:00Z", reason: "SEC-1"}
            """);

        var exemption = Assert.Single(policy.Exemptions);
        Assert.True(exemption.Covers(TestImages.Parse("docker.io/bitnami/legacy:1.0"), "anything"));
    }

    [Theory]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"2027-03-31T00:00:00Z\", reason: \"  \"}", "spec.exceptions[0].reason")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"\", reason: \"SEC-1\"}", "spec.exceptions[0].expires")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], namespaces: [\"Legacy\"], expires: \"2027-03-31T00:00:00Z\", reason: \"SEC-1\"}", "spec.exceptions[0].namespaces[0]")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\", \"docker.io/***\"], expires: \"2027-03-31T00:00:00Z\", reason: \"SEC-1\"}", "spec.exceptions[0].images[1]")]
    [InlineData("  exceptions:\n    - {expires: \"2027-03-31T00:00:00Z\", reason: \"SEC-1\"}", "spec.exceptions[0].images")]
    [InlineData("  exceptions:\n    - {images: [\"docker.io/**\"], expires: \"2027-03-31T00:00:00Z\", reason: \"SEC-1\"}\n    - ", "spec.exceptions[1]")]
    public void Compile_BadException_ReportsItsPathAndDropsThePolicy(string spec, string field)
    {
        var snapshot = CompileYaml(Sources + $"""

            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {"{"}name: production{"}"}
            spec:
            {spec}
            """);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Theory]
    [InlineData("2027-03-31T00:00:00Z", "2027-03-31T00:00:00+00:00")]
    [InlineData("2027-03-31T02:00:00+02:00", "2027-03-31T00:00:00+00:00")]
    [InlineData("2027-03-30T19:00:00-05:00", "2027-03-31T00:00:00+00:00")]
    [InlineData("2027-03-31T00:00:00.5Z", "2027-03-31T00:00:00.5+00:00")]
    [InlineData("2027-03-31T00:00:00.250+01:00", "2027-03-30T23:00:00.25+00:00")]
    public void TryParseTimestamp_Rfc3339WithZone_IsThatInstant(string text, string expected)
    {
        Assert.True(PolicyCompiler.TryParseTimestamp(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("2027-03-31T00:00:00")]
    [InlineData("2027-03-31T00:00:00.5")]
    [InlineData("2027-03-31T00:00:00.123456")]
    [InlineData("2027-03-31")]
    [InlineData("2027-03-31 00:00:00Z")]
    [InlineData("31.03.2027 00:00:00Z")]
    [InlineData("2027-03-31T00:00:00z")] // a lower-case zone letter, which Kubernetes' RFC 3339 parsing (Go's time.RFC3339) refuses too
    public void TryParseTimestamp_WithoutZoneOrNotRfc3339_IsRejected(string text) =>
        Assert.False(PolicyCompiler.TryParseTimestamp(text, out _));

    [Fact]
    public void Compile_Match_NamespacesExcludeAndSelectorsAllHold()
    {
        var policy = CompileValid("""
              match:
                namespaces: ["payments-*", "billing"]
                excludeNamespaces: ["payments-legacy"]
                namespaceSelector: {matchLabels: {env: prod}}
                podSelector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}
            """);
        var prod = new Dictionary<string, string> { ["env"] = "prod" };
        var web = new Dictionary<string, string> { ["tier"] = "web" };

        Assert.True(policy.Match.Matches("payments-eu", prod, web));
        Assert.True(policy.Match.Matches("billing", prod, new Dictionary<string, string> { ["tier"] = "api" }));
        Assert.False(policy.Match.Matches("payments-legacy", prod, web));
        Assert.False(policy.Match.Matches("shipping", prod, web));
        Assert.False(policy.Match.Matches("payments-eu", new Dictionary<string, string> { ["env"] = "dev" }, web));
        Assert.False(policy.Match.Matches("payments-eu", prod, new Dictionary<string, string> { ["tier"] = "db" }));
        Assert.False(policy.Match.Matches("payments-eu", prod, null));
        // Unknown namespace labels never mean "no match": the policy stays and fails closed.
        Assert.True(policy.Match.Matches("payments-eu", null, web));
    }

    [Fact]
    public void Compile_MatchExcludeOnly_EveryOtherNamespace()
    {
        var policy = CompileValid("""
              match: {excludeNamespaces: ["kube-*"]}
            """);

        Assert.True(policy.Match.Matches("default", null, null));
        Assert.False(policy.Match.Matches("kube-system", null, null));
    }

    [Theory]
    [InlineData("payments")]
    [InlineData("team.a-1")]
    [InlineData("*-prod")]
    [InlineData("a1")]
    public void Compile_NamespaceNameOrGlob_IsAccepted(string name)
    {
        var policy = CompileValid($"""
              match: {"{"}namespaces: ["{name}"]{"}"}
            """);

        Assert.Equal([name], policy.Match.Namespaces.Select(n => n.Pattern));
    }

    [Theory]
    [InlineData("Payments")]
    [InlineData("team_a")]
    [InlineData("team/a")]
    [InlineData("  ")]
    [InlineData("")]
    [InlineData("team a")]
    public void Compile_NotANamespaceNameOrGlob_IsRejected(string name)
    {
        var snapshot = CompileYaml($"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {"{"}name: production{"}"}
            spec: {"{"}match: {"{"}excludeNamespaces: [ok, "{name}"]{"}"}{"}"}
            """);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("spec.match.excludeNamespaces[1]", error.Field);
        Assert.Equal($"\"{name}\" is not a namespace name or glob", error.Message);
        Assert.Equal(0, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_ImagePolicy_AppliesOnlyInItsOwnNamespace()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ImagePolicy
            metadata: {name: team, namespace: team-web}
            spec: {match: {namespaces: ["team-*"]}}
            """);

        var policy = Assert.Single(snapshot.Policies);
        Assert.Equal("ImagePolicy/team-web/team", policy.Id);
        Assert.Equal("team-web", policy.Namespace);
        Assert.Equal(ImagePolicy.NamespacedKind, policy.Kind);
        Assert.True(policy.Match.Matches("team-web", null, null));
        Assert.False(policy.Match.Matches("team-api", null, null));
    }

    [Fact]
    public void Compile_ImagePolicyWithoutNamespace_IsInvalidAndWarnsNowhere()
    {
        // It applies only in its own namespace, and it has none.
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.NamespacedKind, "team", null, new ImagePolicySpec())]);

        var invalid = Assert.Single(snapshot.Invalid);
        Assert.Equal("ImagePolicy/team", invalid.Id);
        Assert.NotNull(invalid.Match);
        Assert.False(invalid.Match.Matches("default", null, null));
        Assert.False(invalid.Match.Matches("team", null, null));
    }

    [Fact]
    public void Compile_ClusterPolicyWithMetadataNamespace_IsStillClusterWide()
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.ClusterKind, "wide", "ignored", new ImagePolicySpec())]);

        var policy = Assert.Single(snapshot.Policies);
        Assert.Equal("ClusterImagePolicy/wide", policy.Id);
        Assert.Null(policy.Namespace);
        Assert.True(policy.Match.Matches("elsewhere", null, null));
    }

    [Fact]
    public void Compile_PolicyWithoutKind_IsAClusterPolicy()
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(null, "wide", null, new ImagePolicySpec())]);

        Assert.Empty(snapshot.Errors);
        Assert.Equal("ClusterImagePolicy/wide", Assert.Single(snapshot.Policies).Id);
    }

    [Fact]
    public void Compile_PolicyWithoutApiVersion_IsAccepted()
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.ClusterKind, "wide", null, new ImagePolicySpec(), apiVersion: null)]);

        Assert.Empty(snapshot.Errors);
        Assert.Equal(1, snapshot.PolicyCount);
    }

    [Theory]
    [InlineData("ClusterImagePolicy", "wide", null, "admissionguard.io/v1", "apiVersion", "\"admissionguard.io/v1\" is not admissionguard.io/v1alpha1")]
    [InlineData("ImagePolicies", "wide", null, PolicyCompiler.ApiVersion, "kind", "\"ImagePolicies\" is not ClusterImagePolicy or ImagePolicy")]
    [InlineData("ClusterImagePolicy", "", null, PolicyCompiler.ApiVersion, "metadata.name", "required")]
    [InlineData("ClusterImagePolicy", null, null, PolicyCompiler.ApiVersion, "metadata.name", "required")]
    [InlineData("ImagePolicy", "team", "", PolicyCompiler.ApiVersion, "metadata.namespace", "required for an ImagePolicy (it applies only in its own namespace)")]
    public void Compile_BadObjectField_ReportsItAndDropsThePolicy(string kind, string? name, string? ns, string apiVersion, string field, string message)
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(kind, name, ns, new ImagePolicySpec(), apiVersion)]);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal((field, message), (error.Field, error.Message));
        Assert.Equal(0, snapshot.PolicyCount);
        Assert.Single(snapshot.InvalidPolicyIds);
    }

    [Fact]
    public void Compile_PolicyWithoutSpec_ReportsSpecRequired()
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.ClusterKind, "empty", null, null)]);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("ClusterImagePolicy/empty", "spec", "required"), (error.ObjectId, error.Field, error.Message));
        Assert.Equal("ClusterImagePolicy/empty: spec: required", error.ToString());
        Assert.Equal(["ClusterImagePolicy/empty"], snapshot.InvalidPolicyIds);
    }

    [Fact]
    public void Compile_InvalidPolicies_AreListedByIdWithTheirFirstError()
    {
        var snapshot = PolicyCompiler.Compile([],
        [
            Policy(ImagePolicy.ClusterKind, "good", null, new ImagePolicySpec()),
            Policy(ImagePolicy.ClusterKind, "bad", null, new ImagePolicySpec { Mode = "Deny", Rewrite = new RewriteSpec { Target = "Pod" } }),
            Policy(ImagePolicy.NamespacedKind, "team", "web", new ImagePolicySpec { Mode = "warn" }),
        ]);

        Assert.Equal(["ClusterImagePolicy/bad", "ImagePolicy/web/team"], snapshot.InvalidPolicyIds);
        Assert.Equal(["ClusterImagePolicy/good"], snapshot.Policies.Select(p => p.Id));
        var bad = snapshot.Invalid[0];
        Assert.Null(bad.Namespace);
        // No enum value is near "Deny": no "did you mean".
        Assert.Equal("spec.mode: \"Deny\" is not one of Enforce, Warn, Audit", bad.FirstError);
        var team = snapshot.Invalid[1];
        Assert.Equal("web", team.Namespace);
        Assert.Equal("spec.mode: \"warn\" is not one of Enforce, Warn, Audit; did you mean \"Warn\"?", team.FirstError);
    }

    [Fact]
    public void Compile_InvalidClusterPolicyWithMetadataNamespace_IsStillClusterWide()
    {
        // A stray metadata.namespace on a cluster-scoped kind names no scope: the warning goes to every namespace.
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.ClusterKind, "wide", "stray", new ImagePolicySpec { Mode = "Deny" })]);

        var invalid = Assert.Single(snapshot.Invalid);
        Assert.Equal("ClusterImagePolicy/wide", invalid.Id);
        Assert.Null(invalid.Namespace);
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("ClusterImagePolicy/wide", null), (error.ObjectId, error.ObjectNamespace));
    }

    [Fact]
    public void Compile_UnnamedPolicy_IsReportedAsUnnamed()
    {
        var snapshot = PolicyCompiler.Compile([], [Policy(ImagePolicy.ClusterKind, null, null, new ImagePolicySpec())]);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("ClusterImagePolicy/<unnamed>: metadata.name: required", error.ToString());
        Assert.Equal(["ClusterImagePolicy/<unnamed>"], snapshot.InvalidPolicyIds);
    }

    [Fact]
    public void Compile_InvalidPolicyWithValidMatch_KeepsItsMatch()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: bad}
            spec: {mode: Deny, match: {namespaces: ["payments-*"]}}
            """);

        var invalid = Assert.Single(snapshot.Invalid);
        Assert.NotNull(invalid.Match);
        Assert.True(invalid.Match.Matches("payments-eu", null, null));
        Assert.False(invalid.Match.Matches("shipping", null, null));
    }

    [Fact]
    public void Compile_InvalidPolicyWithInvalidMatch_HasNoMatch()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: bad}
            spec: {match: {namespaces: ["Payments"]}}
            """);

        var invalid = Assert.Single(snapshot.Invalid);
        Assert.Null(invalid.Match);
        Assert.Equal("spec.match.namespaces[0]: \"Payments\" is not a namespace name or glob", invalid.FirstError);
    }

    [Fact]
    public void Compile_SameNameInOtherKindOrNamespace_IsNoDuplicate()
    {
        var snapshot = PolicyCompiler.Compile([],
        [
            Policy(ImagePolicy.ClusterKind, "team", null, new ImagePolicySpec()),
            Policy(ImagePolicy.NamespacedKind, "team", "web", new ImagePolicySpec()),
            Policy(ImagePolicy.NamespacedKind, "team", "api", new ImagePolicySpec()),
        ]);

        Assert.Empty(snapshot.Errors);
        Assert.Equal(3, snapshot.PolicyCount);
    }

    [Fact]
    public void Compile_Duplicate_IsReportedButNotInvalid_TheFirstIsEnforced()
    {
        var snapshot = PolicyCompiler.Compile([],
        [
            Policy(ImagePolicy.ClusterKind, "team", null, new ImagePolicySpec { Mode = "Audit" }),
            Policy(ImagePolicy.ClusterKind, "team", null, new ImagePolicySpec { Mode = "Warn" }),
        ]);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("metadata.name", "duplicate ClusterImagePolicy/team"), (error.Field, error.Message));
        Assert.Empty(snapshot.InvalidPolicyIds);
        Assert.Equal(PolicyMode.Audit, Assert.Single(snapshot.Policies).Mode);
    }

    [Fact]
    public void Compile_Policies_AreInNameOrderThenId()
    {
        var snapshot = PolicyCompiler.Compile([],
        [
            Policy(ImagePolicy.ClusterKind, "b", null, new ImagePolicySpec()),
            Policy(ImagePolicy.NamespacedKind, "a", "x", new ImagePolicySpec()),
            Policy(ImagePolicy.ClusterKind, "c", null, new ImagePolicySpec()),
            Policy(ImagePolicy.ClusterKind, "a", null, new ImagePolicySpec()),
            Policy(ImagePolicy.NamespacedKind, "a", "w", new ImagePolicySpec()),
        ]);

        Assert.Equal(
            ["ClusterImagePolicy/a", "ImagePolicy/w/a", "ImagePolicy/x/a", "ClusterImagePolicy/b", "ClusterImagePolicy/c"],
            snapshot.Policies.Select(p => p.Id));
    }

    [Fact]
    public void Compile_Source_KeepsPatternsMappingsAndVerifyExists()
    {
        var snapshot = CompileYaml(Sources);

        Assert.Empty(snapshot.Errors);
        Assert.Equal(2, snapshot.SourceCount);
        var alpha = snapshot.Sources["alpha"];
        Assert.Equal("alpha", alpha.Name);
        Assert.False(alpha.VerifyExists);
        Assert.True(alpha.IsHardened(TestImages.Parse("dhi.io/nginx:1.25")));
        Assert.False(alpha.IsHardened(TestImages.Parse("dhi.io/nginx:1.25-dev")));
        Assert.False(alpha.IsHardened(TestImages.Parse("nginx:1.25")));
        Assert.Equal(["dhi.io/{name}:{tag}", "dhi.io/quay/{path}:{tag}"], alpha.Mappings.Select(m => m.To.Text));
        Assert.True(alpha.Mappings[0].From.IsMatch(TestImages.Parse("nginx:1.25")));
        Assert.True(alpha.Mappings[1].From.IsMatch(TestImages.Parse("quay.io/team/app:1")));
        // verifyExists defaults to true.
        Assert.True(snapshot.Sources["zeta"].VerifyExists);
    }

    [Fact]
    public void Compile_PolicyWithSeveralSources_HardenedByAnyOneOfThem()
    {
        var policy = CompileValid("""
              rules:
                hardened: {required: true, sources: [alpha, zeta]}
            """);

        Assert.True(policy.IsHardened(TestImages.Parse("dhi.io/nginx:1.25")));
        Assert.True(policy.IsHardened(TestImages.Parse("cgr.dev/chainguard/nginx:1.25")));
        Assert.False(policy.IsHardened(TestImages.Parse("dhi.io/nginx:1.25-dev")));
        Assert.False(policy.IsHardened(TestImages.Parse("nginx:1.25")));
    }

    [Theory]
    [InlineData("hardened: []", "spec.hardened", "must list at least one pattern")]
    [InlineData("notHardened: [\"**\"]", "spec.hardened", "must list at least one pattern")]
    [InlineData("hardened: [\"dhi.io/**\"]\n  notHardened: [\"dhi.io/***\"]", "spec.notHardened[0]", null)]
    [InlineData("hardened: [\"dhi.io/**\"]\n  mappings:\n    - {from: \"docker.io/***\", to: \"dhi.io/{name}\"}", "spec.mappings[0].from", null)]
    [InlineData("hardened: [\"dhi.io/**\"]\n  mappings:\n    - {from: \"docker.io/**\"}", "spec.mappings[0].to", "required")]
    public void Compile_BadSourceField_ReportsItsPathAndDropsTheSource(string spec, string field, string? message)
    {
        var snapshot = CompileYaml($"""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {"{"}name: broken{"}"}
            spec:
              {spec}
            """);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(("HardenedImageSource/broken", field), (error.ObjectId, error.Field));
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }

        Assert.Equal(0, snapshot.SourceCount);
    }

    [Fact]
    public void Compile_SourceObjectErrors_ReportedAndDropped()
    {
        var spec = new HardenedImageSourceSpec { Hardened = ["dhi.io/**"] };
        var snapshot = PolicyCompiler.Compile(
        [
            Source("dhi", spec),
            Source("dhi", new HardenedImageSourceSpec { Hardened = ["other.io/**"] }),
            Source(null, spec),
            Source("nospec", null),
            Source("old", spec, apiVersion: "admissionguard.io/v1beta1"),
            Source("unversioned", spec, apiVersion: null),
        ], []);

        Assert.Equal(
            [
                ("HardenedImageSource/dhi", "metadata.name", "duplicate HardenedImageSource name"),
                ("HardenedImageSource/<unnamed>", "metadata.name", "required"),
                ("HardenedImageSource/nospec", "spec", "required"),
                ("HardenedImageSource/old", "apiVersion", "\"admissionguard.io/v1beta1\" is not admissionguard.io/v1alpha1"),
            ],
            snapshot.Errors.Select(e => (e.ObjectId, e.Field, e.Message)));
        Assert.Equal(["dhi", "unversioned"], snapshot.Sources.Keys.Order(StringComparer.Ordinal));
        // The first "dhi" is kept, not the duplicate.
        Assert.True(snapshot.Sources["dhi"].IsHardened(TestImages.Parse("dhi.io/nginx:1")));
        Assert.Empty(snapshot.InvalidPolicyIds);
    }

    [Fact]
    public void CheckSource_ReturnsItsOwnErrors()
    {
        Assert.Empty(PolicyCompiler.Check(Source("dhi", new HardenedImageSourceSpec { Hardened = ["dhi.io/**"] })));

        var error = Assert.Single(PolicyCompiler.Check(Source("dhi", new HardenedImageSourceSpec { Hardened = [] })));
        Assert.Equal("spec.hardened", error.Field);
    }

    [Fact]
    public void CheckPolicy_MissingSource_IsPendingNotAnError()
    {
        var snapshot = CompileYaml(Sources);
        var policy = Policy(ImagePolicy.NamespacedKind, "team", "web", new ImagePolicySpec
        {
            Rules = new PolicyRules { Hardened = new HardenedRuleSpec { Required = true, Sources = ["alpha", "later", "", "later"] } },
        });

        var errors = PolicyCompiler.Check(policy, snapshot, out var pending);

        // The empty name is an error as at admission; "later" may still be created.
        var error = Assert.Single(errors);
        Assert.Equal(("ImagePolicy/web/team", "spec.rules.hardened.sources[2]"), (error.ObjectId, error.Field));
        var waiting = Assert.Single(pending);
        Assert.Equal(("ImagePolicy/web/team", "spec.rules.hardened.sources[1]"), (waiting.ObjectId, waiting.Field));
        Assert.Contains("\"later\" does not exist or is invalid", waiting.Message, StringComparison.Ordinal);
        Assert.Equal(2, snapshot.SourceCount);
    }

    [Fact]
    public void CheckPolicy_EverySourcePresent_NothingPending()
    {
        var snapshot = CompileYaml(Sources);
        var policy = Policy(ImagePolicy.ClusterKind, "wide", null, new ImagePolicySpec
        {
            Mode = "Deny",
            Rules = new PolicyRules { Hardened = new HardenedRuleSpec { Required = true, Sources = ["zeta"] } },
        });

        var error = Assert.Single(PolicyCompiler.Check(policy, snapshot, out var pending));

        Assert.Empty(pending);
        Assert.Equal(("ClusterImagePolicy/wide", "spec.mode"), (error.ObjectId, error.Field));
    }

    [Fact]
    public void CheckPolicy_WithoutHardenedRule_ErrorsUnderItsIdAndNothingPending()
    {
        var policy = Policy(ImagePolicy.ClusterKind, null, "stray", new ImagePolicySpec { Mode = "Deny" });

        var errors = PolicyCompiler.Check(policy, PolicySnapshot.Empty, out var pending);

        Assert.Empty(pending);
        Assert.Equal(["metadata.name", "spec.mode"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("ClusterImagePolicy/<unnamed>", e.ObjectId));
    }

    [Fact]
    public void CheckPolicy_ClusterPolicyWithStrayNamespace_PendingUnderTheClusterId()
    {
        var policy = Policy(ImagePolicy.ClusterKind, "wide", "stray", new ImagePolicySpec
        {
            Rules = new PolicyRules { Hardened = new HardenedRuleSpec { Required = true, Sources = ["later"] } },
        });

        Assert.Empty(PolicyCompiler.Check(policy, PolicySnapshot.Empty, out var pending));

        Assert.Equal("ClusterImagePolicy/wide", Assert.Single(pending).ObjectId);
    }

    [Fact]
    public void CheckPolicy_NullArgument_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => PolicyCompiler.Check(null!, PolicySnapshot.Empty, out _));
        Assert.Throws<ArgumentNullException>(() => PolicyCompiler.Check(Policy(ImagePolicy.ClusterKind, "wide", null, new ImagePolicySpec()), null!, out _));
    }

    [Fact]
    public void WithErrors_PolicyNeverCompiled_BecomesInvalidOnce()
    {
        var snapshot = CompileYaml("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: kept}
            spec: {mode: Warn}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: other}
            spec: {mode: Audit}
            """);

        var reported = snapshot.WithErrors(
        [
            new PolicyError(ImagePolicy.ClusterKind, null, "kept", "spec.mode", "bad edit, last good version kept"),
            new PolicyError(ImagePolicy.ClusterKind, null, "broken", "spec", "expected an object"),
            new PolicyError(ImagePolicy.ClusterKind, null, "broken", "spec.mode", "second error"),
            new PolicyError(ImagePolicy.NamespacedKind, "web", "team", "spec.rules", "unknown field"),
            new PolicyError(HardenedImageSource.KindName, null, "dhi", "spec.hardened", "required"),
        ]);

        Assert.Equal(["ClusterImagePolicy/broken", "ImagePolicy/web/team"], reported.InvalidPolicyIds);
        Assert.Equal("spec: expected an object", reported.Invalid[0].FirstError);
        Assert.Null(reported.Invalid[0].Match);
        Assert.Equal("web", reported.Invalid[1].Namespace);
        Assert.Equal(5, reported.Errors.Count);
        Assert.Equal(["ClusterImagePolicy/kept", "ClusterImagePolicy/other"], reported.Policies.Select(p => p.Id));
    }
}
