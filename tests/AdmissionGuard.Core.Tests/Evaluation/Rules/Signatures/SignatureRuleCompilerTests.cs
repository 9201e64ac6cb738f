using AdmissionGuard.Evaluation.Rules.Signatures;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Tests.Evaluation.Rules.Signatures;

/// <summary>
/// <c>spec.rules.signatures</c> compile errors, each as kubectl shows it (field path and why), and what a valid
/// rule keeps (API.md section 6).
/// </summary>
public class SignatureRuleCompilerTests
{
    private static SignatureKeySpec Secret(string? name = "team", string? ns = "admission-guard", string? secret = "team-cosign", string? key = "cosign.pub") =>
        new() { Name = name, SecretRef = new SecretKeySelector { Namespace = ns, Name = secret, Key = key } };

    private static List<(string Field, string Message)> Errors(SignatureRuleSpec spec, string? policyNamespace = null)
    {
        var errors = new List<(string, string)>();
        var rule = SignatureRuleCompiler.Compile(spec, policyNamespace, errors);
        Assert.Equal(errors.Count == 0, rule is not null);
        return errors;
    }

    private static (string, string) Single(SignatureRuleSpec spec, string? policyNamespace = null) => Assert.Single(Errors(spec, policyNamespace));

    public static TheoryData<string, SignatureRuleSpec, string, string> BadRules() => new()
    {
        { "no keys field", new SignatureRuleSpec(), "spec.rules.signatures.keys", "must list at least one key (publicKey or secretRef)" },
        { "empty keys", new SignatureRuleSpec { Keys = [] }, "spec.rules.signatures.keys", "must list at least one key (publicKey or secretRef)" },
        { "null key", new SignatureRuleSpec { Keys = [null] }, "spec.rules.signatures.keys[0]", "is empty: a key needs a name and a publicKey or secretRef" },
        { "no name", new SignatureRuleSpec { Keys = [Secret(name: null)] }, "spec.rules.signatures.keys[0].name", "required: denial reasons name the keys" },
        { "blank name", new SignatureRuleSpec { Keys = [Secret(name: " ")] }, "spec.rules.signatures.keys[0].name", "required: denial reasons name the keys" },
        { "duplicate name", new SignatureRuleSpec { Keys = [Secret(), Secret()] }, "spec.rules.signatures.keys[1].name", "duplicate key name \"team\"" },
        { "neither", new SignatureRuleSpec { Keys = [new SignatureKeySpec { Name = "a" }] }, "spec.rules.signatures.keys[0]", "needs exactly one of publicKey or secretRef" },
        { "both", new SignatureRuleSpec { Keys = [new SignatureKeySpec { Name = "a", PublicKey = "x", SecretRef = new SecretKeySelector() }] }, "spec.rules.signatures.keys[0]", "needs exactly one of publicKey or secretRef" },
        { "no namespace", new SignatureRuleSpec { Keys = [Secret(ns: null)] }, "spec.rules.signatures.keys[0].secretRef.namespace", "required" },
        { "blank namespace", new SignatureRuleSpec { Keys = [Secret(ns: " ")] }, "spec.rules.signatures.keys[0].secretRef.namespace", "required" },
        { "no secret name", new SignatureRuleSpec { Keys = [Secret(secret: null)] }, "spec.rules.signatures.keys[0].secretRef.name", "required" },
        { "blank secret name", new SignatureRuleSpec { Keys = [Secret(secret: " ")] }, "spec.rules.signatures.keys[0].secretRef.name", "required" },
        { "no data key", new SignatureRuleSpec { Keys = [Secret(key: null)] }, "spec.rules.signatures.keys[0].secretRef.key", "required: the Secret's data entry holding the PEM public key" },
        { "blank data key", new SignatureRuleSpec { Keys = [Secret(key: " ")] }, "spec.rules.signatures.keys[0].secretRef.key", "required: the Secret's data entry holding the PEM public key" },
        { "lower-case mode", new SignatureRuleSpec { Keys = [Secret()], TransparencyLog = "require" }, "spec.rules.signatures.transparencyLog", "\"require\" is not one of Ignore, Require" },
        { "empty mode", new SignatureRuleSpec { Keys = [Secret()], TransparencyLog = "" }, "spec.rules.signatures.transparencyLog", "\"\" is not one of Ignore, Require" },
        { "tag in repository", new SignatureRuleSpec { Keys = [Secret()], Repository = "r.example.com/{name}:{tag}" }, "spec.rules.signatures.repository", "names a repository: use {registry}, {path} or {name}, not {tag} or {repository}" },
        { "repository in repository", new SignatureRuleSpec { Keys = [Secret()], Repository = "{repository}-signatures" }, "spec.rules.signatures.repository", "names a repository: use {registry}, {path} or {name}, not {tag} or {repository}" },
        { "fixed tag", new SignatureRuleSpec { Keys = [Secret()], Repository = "r.example.com/{name}:v1" }, "spec.rules.signatures.repository", "\"r.example.com/{name}:v1\" does not expand to a repository (it has a tag or digest)" },
        { "fixed digest", new SignatureRuleSpec { Keys = [Secret()], Repository = "r.example.com/{name}@sha256:1111111111111111111111111111111111111111111111111111111111111111" }, "spec.rules.signatures.repository", "\"r.example.com/{name}@sha256:1111111111111111111111111111111111111111111111111111111111111111\" does not expand to a repository (it has a tag or digest)" },
        { "null attestation", new SignatureRuleSpec { Keys = [Secret()], Attestations = [null] }, "spec.rules.signatures.attestations[0].predicateType", "required: an in-toto predicate type such as https://slsa.dev/provenance/v1" },
        { "no predicate", new SignatureRuleSpec { Keys = [Secret()], Attestations = [new AttestationSpec { PredicateType = "https://slsa.dev/provenance/v1" }, new AttestationSpec()] }, "spec.rules.signatures.attestations[1].predicateType", "required: an in-toto predicate type such as https://slsa.dev/provenance/v1" },
        { "empty predicate", new SignatureRuleSpec { Keys = [Secret()], Attestations = [new AttestationSpec { PredicateType = "" }] }, "spec.rules.signatures.attestations[0].predicateType", "required: an in-toto predicate type such as https://slsa.dev/provenance/v1" },
        { "blank predicate", new SignatureRuleSpec { Keys = [Secret()], Attestations = [new AttestationSpec { PredicateType = "  " }] }, "spec.rules.signatures.attestations[0].predicateType", "required: an in-toto predicate type such as https://slsa.dev/provenance/v1" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void Compile_BadRule_IsOneErrorWithItsFieldAndWhy(string what, SignatureRuleSpec spec, string field, string message) =>
        Assert.True(Single(spec) == (field, message), $"{what}: got {string.Join("; ", Errors(spec))}");

    [Fact]
    public void Compile_ImagePolicyNamingAnotherNamespace_SaysItReadsOnlyItsOwn() =>
        Assert.Equal(("spec.rules.signatures.keys[0].secretRef.namespace", "an ImagePolicy reads Secrets of its own namespace \"team-a\" only"),
            Single(new SignatureRuleSpec { Keys = [Secret(ns: "kube-system")] }, "team-a"));

    [Fact]
    public void Compile_UnparseablePublicKey_IsAnErrorOnThatKey() =>
        Assert.Equal("spec.rules.signatures.keys[0].publicKey", Single(new SignatureRuleSpec { Keys = [new SignatureKeySpec { Name = "a", PublicKey = "nonsense" }] }).Item1);

    [Fact]
    public void Compile_RepositoryTemplateThatDoesNotCompile_IsAnErrorOnRepository()
    {
        var (field, message) = Single(new SignatureRuleSpec { Keys = [Secret()], Repository = "r.example.com/{image}" });

        Assert.Equal("spec.rules.signatures.repository", field);
        Assert.Contains("{image}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_RepositoryThatDoesNotParse_NamesTheTemplateAndTheParseError()
    {
        var (field, message) = Single(new SignatureRuleSpec { Keys = [Secret()], Repository = "r.example.com/UPPER/{name}" });

        Assert.Equal("spec.rules.signatures.repository", field);
        Assert.StartsWith("\"r.example.com/UPPER/{name}\" does not expand to a repository (", message, StringComparison.Ordinal);
        Assert.DoesNotContain("it has a tag or digest", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SeveralProblems_ReportsEach()
    {
        var errors = Errors(new SignatureRuleSpec { Keys = [null, Secret(name: null, key: null)], TransparencyLog = "Always" });

        Assert.Equal(
            [
                ("spec.rules.signatures.keys[0]", "is empty: a key needs a name and a publicKey or secretRef"),
                ("spec.rules.signatures.keys[1].name", "required: denial reasons name the keys"),
                ("spec.rules.signatures.keys[1].secretRef.key", "required: the Secret's data entry holding the PEM public key"),
                ("spec.rules.signatures.transparencyLog", "\"Always\" is not one of Ignore, Require"),
            ],
            errors);
    }

    [Fact]
    public void Compile_ImagePolicySecretWithoutNamespace_IsReadFromThePolicysNamespace()
    {
        var errors = new List<(string, string)>();

        var rule = SignatureRuleCompiler.Compile(new SignatureRuleSpec { Keys = [Secret(ns: null), Secret(name: "same", ns: "team-a")] }, "team-a", errors);

        Assert.Empty(errors);
        Assert.Equal([new SecretKeyReference("team-a", "team-cosign", "cosign.pub"), new SecretKeyReference("team-a", "team-cosign", "cosign.pub")], rule!.Requirement.Secrets);
        Assert.Equal("[team, same]", rule.Requirement.KeyList);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Ignore", false)]
    [InlineData("Require", true)]
    public void Compile_TransparencyLog_DefaultsToIgnore(string? mode, bool required)
    {
        var errors = new List<(string, string)>();

        var rule = SignatureRuleCompiler.Compile(new SignatureRuleSpec { Keys = [Secret()], TransparencyLog = mode }, null, errors);

        Assert.Empty(errors);
        Assert.Equal(required, rule!.Requirement.RequireTransparencyLog);
    }
}
