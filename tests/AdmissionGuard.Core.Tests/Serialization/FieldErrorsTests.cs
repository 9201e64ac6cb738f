using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Serialization;

public class FieldErrorsTests
{
    private static JsonException Decode<T>(string json, JsonTypeInfo<T> type) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, type));

    private static string DescribePolicy(string spec, bool yaml = true) =>
        FieldErrors.Describe(Decode("""{"kind": "ClusterImagePolicy", "spec": """ + spec + "}", yaml ? AgJsonContext.Yaml.ImagePolicy : AgJsonContext.Default.ImagePolicy));

    // Expected texts are kubectl's wording as API.md gives it: the field path, then what was expected.
    [Theory]
    [InlineData("""{"rules": {"tags": {"disallowed": "latest"}}}""", "spec.rules.tags.disallowed: expected a list of strings")]
    [InlineData("""{"exceptions": "none"}""", "spec.exceptions: expected a list")]
    [InlineData("""{"match": {"namespaceSelector": {"matchLabels": ["env"]}}}""", "spec.match.namespaceSelector.matchLabels: expected a map of strings")]
    [InlineData("""{"rewrite": {"enabled": "sometimes"}}""", "spec.rewrite.enabled: expected true or false")]
    [InlineData("""{"rules": {"scan": {"maxCritical": "none"}}}""", "spec.rules.scan.maxCritical: expected an integer")]
    [InlineData("""{"rules": "all"}""", "spec.rules: expected an object")]
    public void Describe_WrongTypeInPolicy_NamesFieldAndExpectation(string spec, string expected)
    {
        Assert.Equal(expected, DescribePolicy(spec));
    }

    [Fact]
    public void Describe_NumberForStringWithoutYamlLeniency_ExpectsAString()
    {
        Assert.Equal("spec.mode: expected a string", DescribePolicy("""{"mode": 5}""", yaml: false));
    }

    [Fact]
    public void Describe_ObjectForStringInYaml_ExpectsAString()
    {
        var message = DescribePolicy("""{"mode": {"value": "Enforce"}}""");
        Assert.StartsWith("spec.mode: expected a string", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_BadScanTime_ExpectsAnRfc3339Time()
    {
        var error = Decode("""{"kind": "ImageScan", "spec": {"scannedAt": "yesterday"}}""", AgJsonContext.Yaml.ImageScan);
        Assert.Equal("spec.scannedAt: expected an RFC 3339 time", FieldErrors.Describe(error));
    }

    [Fact]
    public void Describe_BadGeneration_ExpectsAnInteger()
    {
        var error = Decode("""{"metadata": {"name": "x", "generation": "first"}}""", AgJsonContext.Yaml.ImagePolicy);
        Assert.Equal("metadata.generation: expected an integer", FieldErrors.Describe(error));
    }

    [Theory]
    [InlineData("""{"rules": {"tags": {"disalowed": ["latest"]}}}""", "spec.rules.tags.disalowed", "unknown field \"disalowed\"; did you mean \"disallowed\"?")]
    [InlineData("""{"mod": "Enforce"}""", "spec.mod", "unknown field \"mod\"; did you mean \"mode\"?")]
    [InlineData("""{"rules": {"scan": {"MinGrade": "B"}}}""", "spec.rules.scan.MinGrade", "unknown field \"MinGrade\"; did you mean \"minGrade\"?")]
    [InlineData("""{"rules": {"tags": {"colour": "red"}}}""", "spec.rules.tags.colour", "unknown field \"colour\"")]
    [InlineData("""{"rules": {"signatures": {"transparencyLg": "Require"}}}""", "spec.rules.signatures.transparencyLg", "unknown field \"transparencyLg\"; did you mean \"transparencyLog\"?")]
    [InlineData("""{"rules": {"signatures": {"keys": [{"name": "k", "publicKy": "x"}]}}}""", "spec.rules.signatures.keys[0].publicKy", "unknown field \"publicKy\"; did you mean \"publicKey\"?")]
    [InlineData("""{"rules": {"signatures": {"keys": [{"name": "k", "secretRef": {"namespce": "s"}}]}}}""", "spec.rules.signatures.keys[0].secretRef.namespce", "unknown field \"namespce\"; did you mean \"namespace\"?")]
    [InlineData("""{"rules": {"signatures": {"attestations": [{"predicatType": "x"}]}}}""", "spec.rules.signatures.attestations[0].predicatType", "unknown field \"predicatType\"; did you mean \"predicateType\"?")]
    public void Split_UnknownField_NamesFullPathAndClosestField(string spec, string field, string message)
    {
        var error = Decode("""{"kind": "ClusterImagePolicy", "spec": """ + spec + "}", AgJsonContext.Yaml.ImagePolicy);
        Assert.Equal((field, message), FieldErrors.Split(error));
        Assert.Equal($"{field}: {message}", FieldErrors.Describe(error));
    }

    [Fact]
    public void Split_UnknownFieldOfTheDecodedTypeItself_IsNamedAlone()
    {
        var error = Decode("""{"hardend": ["dhi.io/**"]}""", AgJsonContext.Yaml.HardenedImageSourceSpec);
        Assert.Equal(("hardend", "unknown field \"hardend\"; did you mean \"hardened\"?"), FieldErrors.Split(error));
        Assert.Equal("hardend: unknown field \"hardend\"; did you mean \"hardened\"?", FieldErrors.Describe(error));
    }

    [Fact]
    public void Split_UnknownFieldOfATypeWithoutKnownFields_HasNoSuggestion()
    {
        // FieldErrors knows the field names of the policy and source kinds; for any other type it offers none.
        var error = new JsonException(
            "The JSON property 'nmae' could not be mapped to any .NET member contained in type 'AdmissionGuard.Other.Thing'.",
            "$.spec", 0, 0);
        Assert.Equal(("spec.nmae", "unknown field \"nmae\""), FieldErrors.Split(error));
    }

    [Theory]
    [InlineData("$")]
    [InlineData(null)]
    public void Split_UnknownFieldAtTheRoot_IsNamedAlone(string? path)
    {
        var error = new JsonException("The JSON property 'nmae' could not be mapped to any .NET member contained in type 'AdmissionGuard.Other.Thing'.", path, 0, 0);
        Assert.Equal(("nmae", "unknown field \"nmae\""), FieldErrors.Split(error));
    }

    [Fact]
    public void Split_MessageWithoutKnownShape_KeepsTheTextBeforeThePath()
    {
        var error = new JsonException("'}' is an invalid start of a value. Path: $.spec | LineNumber: 0 | BytePositionInLine: 9.", "$.spec", 0, 9);
        Assert.Equal(("spec", "'}' is an invalid start of a value."), FieldErrors.Split(error));
    }

    [Fact]
    public void Split_MessageWithoutPath_IsKeptWhole()
    {
        var error = new JsonException("something else went wrong");
        Assert.Equal(("", "something else went wrong"), FieldErrors.Split(error));
        Assert.Equal("something else went wrong", FieldErrors.Describe(error));
    }

    [Fact]
    public void Split_ConversionToUnknownType_KeepsTheTextBeforeThePath()
    {
        var error = new JsonException("The JSON value could not be converted to System.Guid. Path: $.spec.id | LineNumber: 0 | BytePositionInLine: 3.", "$.spec.id", 0, 3);
        Assert.Equal(("spec.id", "The JSON value could not be converted to System.Guid."), FieldErrors.Split(error));
    }

    [Theory]
    // One edit from a field name of two or more characters, and up to a third of the name's length beyond that,
    // is a typo; the comparison ignores case.
    [InlineData("disalowed", "disallowed")]
    [InlineData("dizallowed", "disallowed")]
    [InlineData("disallowedd", "disallowed")]
    [InlineData("disallowde", "disallowed")]      // two edits (no transposition in the distance)
    [InlineData("dsalwed", "disallowed")]         // three deletions: 10 / 3 = 3
    [InlineData("DISALLOWED", "disallowed")]
    [InlineData("DisAllowed", "disallowed")]
    [InlineData("DisAlowed", "disallowed")]       // a typo in other case: still one edit
    [InlineData("requiredigest", "requireDigest")]
    [InlineData("mod", "mode")]
    [InlineData("tp", "to")]                      // a two-character name still allows one edit
    [InlineData("fro", "from")]
    public void DidYouMean_Typo_IsTheKnownName(string text, string expected)
    {
        Assert.Equal(expected, FieldErrors.DidYouMean(text, ["from", "to", "mode", "disallowed", "requireDigest"]));
    }

    [Theory]
    [InlineData("dsalwd")]        // four edits from "disallowed": more than a third of its length
    [InlineData("mdoe")]          // two edits from the four-character "mode"
    [InlineData("colour")]
    [InlineData("xy")]
    public void DidYouMean_TooFarFromEveryName_IsNull(string text)
    {
        Assert.Null(FieldErrors.DidYouMean(text, ["from", "to", "mode", "disallowed", "requireDigest"]));
    }

    [Fact]
    public void DidYouMean_NoKnownNames_IsNull()
    {
        Assert.Null(FieldErrors.DidYouMean("mode", []));
    }

    [Theory]
    [InlineData("namespace", new[] { "names", "namespaces", "namespace" }, "namespace")]   // exact beats one edit
    [InlineData("namespacs", new[] { "namespaces", "namespace" }, "namespaces")]            // a tie: the first known name
    [InlineData("namespacs", new[] { "namespace", "namespaces" }, "namespace")]
    [InlineData("exclud", new[] { "include", "exclude" }, "exclude")]                       // closest, not first
    [InlineData("images", new[] { "imagse", "Images" }, "Images")]                          // same letters in another case: distance 0
    public void DidYouMean_SeveralCandidates_PicksTheClosest(string text, string[] known, string expected)
    {
        Assert.Equal(expected, FieldErrors.DidYouMean(text, known));
    }

    [Fact]
    public void DidYouMean_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => FieldErrors.DidYouMean(null!, ["a"]));
        Assert.Throws<ArgumentNullException>(() => FieldErrors.DidYouMean("a", null!));
        Assert.Throws<ArgumentNullException>(() => FieldErrors.Split(null!));
    }

    [Fact]
    public void Describe_EverySpecKindTypo_GetsASuggestion()
    {
        // One typo at each level of the policy and source kinds; each names the field as written in YAML.
        var cases = new (string Json, JsonTypeInfo Type, string Expected)[]
        {
            ("""{"spec": {"match": {"namespaceSelecter": {}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.match.namespaceSelecter: unknown field \"namespaceSelecter\"; did you mean \"namespaceSelector\"?"),
            ("""{"spec": {"images": {"exlude": []}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.images.exlude: unknown field \"exlude\"; did you mean \"exclude\"?"),
            ("""{"spec": {"rules": {"hardend": {}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.rules.hardend: unknown field \"hardend\"; did you mean \"hardened\"?"),
            ("""{"spec": {"rules": {"registries": {"alowed": []}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.rules.registries.alowed: unknown field \"alowed\"; did you mean \"allowed\"?"),
            ("""{"spec": {"rules": {"hardened": {"requird": true}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.rules.hardened.requird: unknown field \"requird\"; did you mean \"required\"?"),
            ("""{"spec": {"rewrite": {"pinDigests": true}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.rewrite.pinDigests: unknown field \"pinDigests\"; did you mean \"pinDigest\"?"),
            ("""{"spec": {"exceptions": [{"reasons": "x"}]}}""", AgJsonContext.Yaml.ImagePolicy, "spec.exceptions[0].reasons: unknown field \"reasons\"; did you mean \"reason\"?"),
            ("""{"spec": {"match": {"podSelector": {"matchLabel": {}}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.match.podSelector.matchLabel: unknown field \"matchLabel\"; did you mean \"matchLabels\"?"),
            ("""{"spec": {"match": {"podSelector": {"matchExpressions": [{"keys": "a"}]}}}}""", AgJsonContext.Yaml.ImagePolicy, "spec.match.podSelector.matchExpressions[0].keys: unknown field \"keys\"; did you mean \"key\"?"),
            ("""{"spec": {"mappings": [{"fom": "**"}]}}""", AgJsonContext.Yaml.HardenedImageSource, "spec.mappings[0].fom: unknown field \"fom\"; did you mean \"from\"?"),
            ("""{"spec": {"verifyExist": true}}""", AgJsonContext.Yaml.HardenedImageSource, "spec.verifyExist: unknown field \"verifyExist\"; did you mean \"verifyExists\"?"),
        };
        foreach (var (json, type, expected) in cases)
        {
            var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, type));
            Assert.Equal(expected, FieldErrors.Describe(error));
        }
    }
}
