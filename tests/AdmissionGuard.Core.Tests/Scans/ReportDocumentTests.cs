using System.Text.Json;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;
using static AdmissionGuard.Tests.Scans.ImportAssert;

namespace AdmissionGuard.Tests.Scans;

// Reading a report (JSON or YAML), the scanners' severity words, and the --image / repo-digest rules that every
// format shares (README "scan import": the digest comes from the report's repo digest or from --image).
public class ReportDocumentTests
{
    private const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t ")]
    public void TryParse_Empty_IsAnError(string text)
    {
        Assert.False(ReportDocument.TryParse(text, out var document, out var error));
        Assert.Null(document);
        Assert.Equal("the report is empty", error);
    }

    [Fact]
    public void TryParse_Json_KeepsTheTree()
    {
        Assert.True(ReportDocument.TryParse("  {\"SchemaVersion\": 2, \"Results\": [1,],}", out var document, out var error), error);
        using (document)
        {
            Assert.Null(error);
            Assert.Equal(2, document!.RootElement.GetProperty("SchemaVersion").GetInt32());
        }

        Assert.True(ReportDocument.TryParse("[{\"a\":1}]", out var array, out _));
        using (array)
        {
            Assert.Equal(JsonValueKind.Array, array!.RootElement.ValueKind);
        }
    }

    [Fact]
    public void TryParse_BadJson_SaysInvalidJson()
    {
        Assert.False(ReportDocument.TryParse("{\"a\": ", out var document, out var error));
        Assert.Null(document);
        Assert.StartsWith("invalid JSON: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_OneYamlMapping_IsThatMapping()
    {
        Assert.True(ReportDocument.TryParse("kind: VulnerabilityReport\nreport:\n  artifact: {repository: library/nginx}\n", out var document, out var error), error);
        using (document)
        {
            Assert.Equal("VulnerabilityReport", document!.RootElement.GetProperty("kind").GetString());
            Assert.Equal("library/nginx", document.RootElement.GetProperty("report").GetProperty("artifact").GetProperty("repository").GetString());
        }
    }

    [Fact]
    public void TryParse_SeveralYamlMappings_BecomeAList()
    {
        Assert.True(ReportDocument.TryParse("kind: A\n---\n- not a mapping\n---\nkind: B\n", out var document, out var error), error);
        using (document)
        {
            var root = document!.RootElement;
            Assert.Equal("List", root.GetProperty("kind").GetString());
            Assert.Equal(["A", "B"], root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
        }
    }

    [Theory]
    [InlineData("- a\n- b\n")]
    [InlineData("just text\n")]
    public void TryParse_YamlWithoutMapping_IsAnError(string text)
    {
        Assert.False(ReportDocument.TryParse(text, out var document, out var error));
        Assert.Null(document);
        Assert.Equal("the report is neither JSON nor a YAML mapping", error);
    }

    [Fact]
    public void TryParse_BadYaml_IsAnError()
    {
        Assert.False(ReportDocument.TryParse("kind: [A\n", out var document, out var error));
        Assert.Null(document);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_NullText_Throws() => Assert.Throws<ArgumentNullException>(() => ReportDocument.TryParse(null!, out _, out _));

    [Theory]
    [InlineData("CRITICAL", "Critical")]
    [InlineData(" critical ", "Critical")]
    [InlineData("High", "High")]
    [InlineData("MEDIUM", "Medium")]
    [InlineData("moderate", "Medium")]
    [InlineData("LOW", "Low")]
    [InlineData("Negligible", "Low")]
    [InlineData("info", "Low")]
    [InlineData("none", "Low")]
    [InlineData("UNKNOWN", "Unknown")]
    [InlineData("urgent", "Unknown")]
    [InlineData(null, "Unknown")]
    public void SeverityNames_Parse_MapsEveryScannersWords(string? text, string expected) => Assert.Equal(expected, SeverityNames.Parse(text).ToString());

    [Theory]
    [InlineData("CRITICAL", true)]
    [InlineData("high", true)]
    [InlineData("Medium", true)]
    [InlineData("MODERATE", true)]
    [InlineData("low", true)]
    [InlineData("NEGLIGIBLE", true)]
    [InlineData("Info", true)]
    [InlineData("NONE", true)]
    [InlineData(" unknown ", true)]
    [InlineData("security", false)]
    [InlineData(null, false)]
    public void SeverityNames_IsKnownWord(string? text, bool expected) => Assert.Equal(expected, SeverityNames.IsKnownWord(text));

    [Fact]
    public void Json_LenientReads()
    {
        using var document = JsonDocument.Parse("""{"s":"x","n":1.10,"t":true,"f":false,"z":null,"o":{"a":{"b":"deep"}},"arr":["a"," ",null,2],"i":"42","bs":"False","bad":"yes","time":"2026-11-20T12:00:00+02:00","local":"2026-11-20T12:00:00"}""");
        var root = document.RootElement;
        Assert.Equal("x", root.Str("s"));
        Assert.Equal("1.10", root.Str("n"));
        Assert.Equal("true", root.Str("t"));
        Assert.Null(root.Str("o"));
        Assert.Null(root.Prop("z"));
        Assert.Null(root.Prop("missing"));
        Assert.Null(root.GetProperty("s").Prop("s"));
        Assert.Equal("deep", root.Path("o", "a", "b").Str());
        Assert.Null(root.Path("o", "x", "b"));
        Assert.Equal(["a", "2"], root.Prop("arr").Strings());
        Assert.Empty(root.Prop("o").Items());
        Assert.Equal(42, root.Prop("i").Int());
        Assert.Null(root.Prop("s").Int());
        Assert.Equal((true, false, false), (root.Prop("t").Bool(), root.Prop("f").Bool(), root.Prop("bs").Bool()));
        Assert.Null(root.Prop("bad").Bool());
        Assert.Null(root.Prop("n").Bool());
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), root.Prop("time").Time());
        Assert.Equal(TimeSpan.Zero, root.Prop("time").Time()!.Value.Offset);

        // A time without offset is UTC, never the machine's zone.
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), root.Prop("local").Time());
        Assert.Null(root.Prop("s").Time());
    }

    // ---- The --image and repo-digest rules, through the Trivy importer.

    private static ScanImportResult Trivy(string metadata, string? image, string artifact = "app:1")
    {
        var json = "{\"SchemaVersion\":2,\"ArtifactName\":\"" + artifact + "\",\"CreatedAt\":\"2026-11-19T00:00:00Z\",\"Metadata\":" + metadata + ",\"Results\":[]}";
        using var document = JsonDocument.Parse(json);
        return new TrivyJsonImporter().Import(document.RootElement, new ScanImportOptions(image, Now, GradeScale.Default));
    }

    [Fact]
    public void Resolve_InvalidImageOption_IsAnError()
    {
        var result = Trivy("{\"RepoDigests\":[\"" + D1 + "\"]}", "Not A Reference");
        Assert.Null(result.Scan);
        Assert.Equal("--image \"Not A Reference\" is not a valid image reference", result.Error);
    }

    [Fact]
    public void Resolve_RepoDigestThatIsNotADigest_IsIgnoredWithAWarning()
    {
        var result = Trivy("{\"RepoDigests\":[\"app@sha256:short\",\"app:1\",\"docker.io/library/app@" + D1 + "\"]}", null);
        var spec = Spec(result);
        Assert.Equal((D1, "docker.io/library/app:1"), (spec.Digest, spec.Image));
        Assert.Contains("ignored repo digest \"app@sha256:short\": not repository@sha256:<64 hex>", result.Warnings);
        Assert.Contains("ignored repo digest \"app:1\": not repository@sha256:<64 hex>", result.Warnings);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("scan time", StringComparison.Ordinal));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 0, 0, 0, TimeSpan.Zero), spec.ScannedAt);
    }

    [Fact]
    public void Resolve_OneDigestUnderTwoRepositories_IsOneImage()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"b.example.com/app:1\"],\"RepoDigests\":[\"a.example.com/app@" + D1 + "\",\"b.example.com/app@" + D1 + "\"]}", null));
        Assert.Equal((D1, "b.example.com/app:1"), (spec.Digest, spec.Image));
    }

    [Fact]
    public void Resolve_TagOfTheDigestsRepository_IsPreferred()
    {
        // ArtifactName comes after the tags; the tag of the repository that the digest belongs to names the image.
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\",\"b.example.com/app:2\"],\"RepoDigests\":[\"b.example.com/app@" + D1 + "\"]}", null));
        Assert.Equal("b.example.com/app:2", spec.Image);
    }

    [Fact]
    public void Resolve_NoNameButTheDigestsRepository_IsThatRepository()
    {
        var spec = Spec(Trivy("{\"RepoDigests\":[\"b.example.com/app@" + D1 + "\"]}", null, artifact: "/in.tar"));
        Assert.Equal("b.example.com/app", spec.Image);
    }

    [Fact]
    public void Resolve_BareDigest_TakesTheFirstName()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\",\"b.example.com/app:2\"],\"RepoDigests\":[\"" + D1 + "\"]}", null));
        Assert.Equal("a.example.com/app:1", spec.Image);
    }

    [Fact]
    public void Resolve_ImageOptionWithTag_NamesTheImage()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\"],\"RepoDigests\":[\"a.example.com/app@" + D1 + "\"]}", "mirror.example.com/app:prod"));
        Assert.Equal(("mirror.example.com/app:prod", D1), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Resolve_ImageOptionRepositoryNotInReport_IsThatRepository()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\"],\"RepoDigests\":[\"a.example.com/app@" + D1 + "\"]}", "mirror.example.com/app"));
        Assert.Equal(("mirror.example.com/app", D1), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Resolve_ImageOptionRepository_PicksItsTagFromTheReport()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\",\"b.example.com/app:2\"],\"RepoDigests\":[\"a.example.com/app@" + D1 + "\"]}", "b.example.com/app"));
        Assert.Equal(("b.example.com/app:2", D1), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Resolve_ImageDigestAmongSeveral_PicksItAndItsRepository()
    {
        var spec = Spec(Trivy(
            "{\"RepoTags\":[\"a.example.com/app:1\",\"b.example.com/app:2\"],\"RepoDigests\":[\"a.example.com/app@" + D1 + "\",\"b.example.com/app@" + D2 + "\"]}",
            "b.example.com/app@" + D2));
        Assert.Equal(("b.example.com/app:2", D2), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Resolve_SeveralDigestsAndImageRepositoryMatchingNone_IsAnError()
    {
        var result = Trivy("{\"RepoDigests\":[\"a.example.com/app@" + D1 + "\",\"b.example.com/app@" + D2 + "\"]}", "c.example.com/app");
        Assert.Null(result.Scan);
        Assert.Contains("the report names several images (a.example.com/app@" + D1 + ", b.example.com/app@" + D2 + ")", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SeveralDigestsOfOneRepository_IsAnErrorEvenWithThatRepository()
    {
        var result = Trivy("{\"RepoDigests\":[\"a.example.com/app@" + D1 + "\",\"a.example.com/app@" + D2 + "\"]}", "a.example.com/app");
        Assert.Contains("several images", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ImageDigestWhenReportHasNone_IsUsed()
    {
        var spec = Spec(Trivy("{\"RepoTags\":[\"a.example.com/app:1\"]}", "a.example.com/app@" + D2));
        Assert.Equal(("a.example.com/app:1", D2), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Resolve_ReportNamesNoImage_IsAnError()
    {
        var result = Trivy("{\"RepoDigests\":[\"" + D1 + "\"]}", null, artifact: "/in.tar");
        Assert.Equal("the report does not name the image; pass --image REF[:tag]@sha256:<digest>", result.Error);
    }

    [Fact]
    public void Resolve_GradeUsesTheGivenScale()
    {
        var json = "{\"SchemaVersion\":2,\"ArtifactName\":\"app:1\",\"Metadata\":{\"RepoDigests\":[\"" + D1 + "\"]},\"Results\":[{\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"a\",\"InstalledVersion\":\"1\",\"Severity\":\"HIGH\"}]}]}";
        using var document = JsonDocument.Parse(json);
        var strict = GradeScale.Default with { HighForC = 0 };
        Assert.Equal("B", Spec(new TrivyJsonImporter().Import(document.RootElement, new ScanImportOptions(null, Now, GradeScale.Default))).Grade);
        Assert.Equal("C", Spec(new TrivyJsonImporter().Import(document.RootElement, new ScanImportOptions(null, Now, strict))).Grade);
    }

    [Fact]
    public void Resolve_ImageDigestNotInReport_NamesTheReportsDigests()
    {
        const string d3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
        var result = Trivy("{\"RepoDigests\":[\"a.example.com/app@" + D1 + "\",\"b.example.com/app@" + D2 + "\"]}", "app@" + d3);
        Assert.Null(result.Scan);
        Assert.Equal("--image digest " + d3 + " is not in the report, which names " + D1 + ", " + D2, result.Error);
    }

    [Fact]
    public void Resolve_BareAndRepositoryDigests_NeedImageToPick()
    {
        // Two digests, one without repository: neither is "the" image without --image.
        var result = Trivy("{\"RepoDigests\":[\"" + D1 + "\",\"a.example.com/app@" + D2 + "\"]}", null);
        Assert.Null(result.Scan);
        Assert.Equal(
            "the report names several images (@" + D1 + ", a.example.com/app@" + D2 + "); pick one with --image REF@sha256:<digest>",
            result.Error);
    }

    [Fact]
    public void Resolve_NoScanTime_WarningNamesTheImportTime()
    {
        var json = "{\"SchemaVersion\":2,\"ArtifactName\":\"app:1\",\"Metadata\":{\"RepoDigests\":[\"" + D1 + "\"]},\"Results\":[]}";
        using var document = JsonDocument.Parse(json);
        var result = new TrivyJsonImporter().Import(document.RootElement, new ScanImportOptions(null, Now, GradeScale.Default));
        Assert.Equal(["the report carries no scan time; scannedAt is the import time 2026-11-20T10:00:00.0000000+00:00"], result.Warnings);
    }
}
