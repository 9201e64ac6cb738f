using System.Text.Json;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;
using static AdmissionGuard.Tests.Scans.ImportAssert;

namespace AdmissionGuard.Tests.Scans;

// Small reports written by hand in each scanner's format (field names as the scanners write them; see the real
// outputs in tests/fixtures/scanners), one format rule per test. Expected counts and grades are worked out by
// hand from the report and API.md's default grade scale.
public class ImporterFormatTests
{
    private const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string D3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    private static readonly TrivyJsonImporter Trivy = new();
    private static readonly GrypeJsonImporter Grype = new();
    private static readonly SarifImporter Sarif = new();
    private static readonly CycloneDxImporter CycloneDx = new();
    private static readonly TrivyOperatorImporter Operator = new();

    private static ScanImportResult Run(IScanReportImporter importer, string text, string? image = null, GradeScale? scale = null)
    {
        Assert.True(ReportDocument.TryParse(text, out var document, out var error), error);
        using (document)
        {
            var root = document!.RootElement;
            Assert.Equal([importer.Name], ScanReportImporters.All.Where(i => i.CanRead(root)).Select(i => i.Name));
            return importer.Import(root, new ScanImportOptions(image, Now, scale ?? GradeScale.Default));
        }
    }

    private static bool Reads(IScanReportImporter importer, string json)
    {
        using var document = JsonDocument.Parse(json);
        return importer.CanRead(document.RootElement);
    }

    private static string TrivyReport(string vulnerabilities, string metadata = $$"""{"RepoTags":["alpine:3.10"],"RepoDigests":["alpine@{{D1}}"]}""", string extra = "") => $$"""
        {"SchemaVersion":2,"ArtifactName":"alpine:3.10","ArtifactType":"container_image",{{extra}}
         "Metadata":{{metadata}},
         "Results":[{"Target":"alpine:3.10 (alpine 3.10.9)","Class":"os-pkgs","Type":"alpine","Vulnerabilities":{{vulnerabilities}}}]}
        """;

    private static string TrivyVuln(string id, string package, string version, string severity, string fixedVersion = "") =>
        $$"""{"VulnerabilityID":"{{id}}","PkgName":"{{package}}","InstalledVersion":"{{version}}","FixedVersion":"{{fixedVersion}}","Severity":"{{severity}}"}""";

    // ---- ScanReportImporters

    [Fact]
    public void ByName_FindsEachFormatIgnoringCase()
    {
        Assert.Equal(["trivy", "grype", "sarif", "cyclonedx", "trivy-operator"], ScanReportImporters.All.Select(i => i.Name));
        Assert.IsType<TrivyOperatorImporter>(ScanReportImporters.ByName("Trivy-Operator"));
        Assert.IsType<CycloneDxImporter>(ScanReportImporters.ByName("cyclonedx"));
        Assert.Null(ScanReportImporters.ByName("scout"));
    }

    // ---- Trivy JSON

    [Theory]
    [InlineData("""{"SchemaVersion":2,"Results":[]}""", true)]
    [InlineData("""{"SchemaVersion":2,"ArtifactName":"alpine:3.10"}""", true)]
    [InlineData("""{"SchemaVersion":2}""", false)]
    [InlineData("""{"Results":[],"ArtifactName":"alpine:3.10"}""", false)]
    [InlineData("""{"SchemaVersion":null,"Results":[]}""", false)]
    [InlineData("""[1]""", false)]
    public void Trivy_CanRead_NeedsSchemaVersionAndResultsOrArtifact(string json, bool expected) => Assert.Equal(expected, Reads(Trivy, json));

    [Fact]
    public void Trivy_SchemaVersionOtherThanTwo_IsAnError()
    {
        using var document = JsonDocument.Parse("""{"SchemaVersion":1,"Results":[]}""");
        var result = Trivy.Import(document.RootElement, new ScanImportOptions("alpine@" + D1, Now, GradeScale.Default));
        Assert.Null(result.Scan);
        Assert.Contains("SchemaVersion 1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Trivy_NoSchemaVersion_IsAnErrorWhenAskedFor()
    {
        // --format trivy skips detection, so Import sees a report that CanRead would not take.
        using var document = JsonDocument.Parse("""{"ArtifactName":"alpine:3.10","Results":[]}""");
        var result = Trivy.Import(document.RootElement, new ScanImportOptions("alpine@" + D1, Now, GradeScale.Default));
        Assert.Equal("Trivy SchemaVersion (none) is not supported; only 2 is", result.Error);
    }

    [Fact]
    public void Trivy_SeveritiesFixedVersionsAndDuplicates_CountedOnceEach()
    {
        var vulnerabilities = "[" + string.Join(",",
            TrivyVuln("CVE-1", "openssl", "1.0", "CRITICAL", "1.1"),
            TrivyVuln("CVE-1", "openssl", "1.0", "CRITICAL", "1.1"),   // the same finding again
            TrivyVuln("CVE-1", "libssl", "1.0", "CRITICAL"),           // another package: another finding, no fix
            TrivyVuln("CVE-2", "zlib", "1.2", "HIGH", " "),            // a blank fixed version is no fix
            TrivyVuln("CVE-3", "zlib", "1.2", "high", "1.3"),
            TrivyVuln("CVE-4", "musl", "1.1", "MEDIUM", "1.2"),
            TrivyVuln("CVE-4", "musl", "1.0", "MEDIUM", "1.2"),       // another installed version: another finding
            TrivyVuln("CVE-5", "musl", "1.1", "LOW", "1.2"),
            TrivyVuln("CVE-6", "musl", "1.1", "UNKNOWN"),
            TrivyVuln("CVE-7", "musl", "1.1", "NONE")) + "]";
        var result = Run(Trivy, TrivyReport(vulnerabilities));
        var spec = Spec(result);
        Counts(spec, 2, 2, 2, 2, 1, 1, 1);
        Assert.Equal("E", spec.Grade);
        Assert.Equal(D1, spec.Digest);
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Fact]
    public void Trivy_CreatedAtOsAndVersion_AreRead()
    {
        var report = TrivyReport(
            "[]",
            metadata: $$"""{"RepoTags":["alpine:3.10"],"RepoDigests":["alpine@{{D1}}"],"OS":{"Family":"alpine","Name":"3.10.9","EOSL":"true"} }""",
            extra: """ "CreatedAt":"2026-11-19T12:30:00.5+02:00","Trivy":{"Version":"0.58.0"},""");
        var result = Run(Trivy, report);
        var spec = Spec(result);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 10, 30, 0, 500, TimeSpan.Zero), spec.ScannedAt);
        Assert.Equal(TimeSpan.Zero, spec.ScannedAt!.Value.Offset);
        Assert.Equal(("trivy", "0.58.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("alpine", "3.10.9", true), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal("F", spec.Grade);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Trivy_OsWithoutEosl_IsNotEndOfLife()
    {
        var spec = Spec(Run(Trivy, TrivyReport("[]", metadata: $$"""{"RepoDigests":["alpine@{{D1}}"],"OS":{"Family":"alpine","Name":"3.19"} }""")));
        Assert.False(spec.Os!.Eosl);
        Assert.Equal("A", spec.Grade);
    }

    [Fact]
    public void Trivy_NoCreatedAt_UsesImportTimeAndWarns()
    {
        var result = Run(Trivy, TrivyReport("[]"));
        Assert.Equal(Now, Spec(result).ScannedAt);
        Assert.Contains(result.Warnings, w => w.StartsWith("the report carries no scan time", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/tmp/alpine.tar")]
    [InlineData("./alpine")]
    [InlineData("alpine.tar")]
    [InlineData("alpine.tar.gz")]
    [InlineData("alpine.tgz")]
    public void Trivy_ArtifactNameThatIsAPath_DoesNotNameTheImage(string path)
    {
        var report = $$"""{"SchemaVersion":2,"ArtifactName":"{{path}}","Metadata":{"RepoDigests":["{{D1}}"]},"Results":[]}""";
        var result = Run(Trivy, report);
        Assert.Null(result.Scan);
        Assert.Contains("does not name the image", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alpine:3.10", "docker.io/library/alpine:3.10")]
    [InlineData("registry.example.com/team/tar:1", "registry.example.com/team/tar:1")]
    public void Trivy_ArtifactNameThatIsAnImage_NamesIt(string artifact, string expected)
    {
        var report = $$"""{"SchemaVersion":2,"ArtifactName":"{{artifact}}","Metadata":{"RepoDigests":["{{D1}}"]},"Results":[]}""";
        Assert.Equal(expected, Spec(Run(Trivy, report)).Image);
    }

    [Fact]
    public void Trivy_NoMetadata_NeedsImageDigest()
    {
        const string report = """{"SchemaVersion":2,"ArtifactName":"alpine:3.10","Results":[]}""";
        Assert.Contains("no image digest", Run(Trivy, report).Error, StringComparison.Ordinal);
        var spec = Spec(Run(Trivy, report, "alpine@" + D1));
        Assert.Equal(("docker.io/library/alpine:3.10", D1), (spec.Image, spec.Digest));
        Assert.Null(spec.Os);
    }

    [Fact]
    public void Trivy_MetadataReference_NamesTheImage()
    {
        var report = $$"""{"SchemaVersion":2,"ArtifactName":"/x.tar","Metadata":{"Reference":"quay.io/org/app:2","RepoDigests":["{{D1}}"]},"Results":[]}""";
        Assert.Equal("quay.io/org/app:2", Spec(Run(Trivy, report)).Image);
    }

    // ---- Grype JSON

    private static string GrypeMatch(string id, string severity, string state, string package = "busybox", string version = "1.32.1") => $$"""
        {"vulnerability":{"id":"{{id}}","severity":"{{severity}}","fix":{"versions":["9"],"state":"{{state}}"} },"artifact":{"name":"{{package}}","version":"{{version}}"} }
        """;

    private static string GrypeReport(string matches, string target = $$"""{"userInput":"busybox","tags":["busybox:1.32.1"],"repoDigests":["busybox@{{D1}}"],"manifestDigest":"{{D2}}"}""", string rest = ""","distro":{"name":"busybox","version":"1.32.1"},"descriptor":{"name":"grype","version":"0.94.0","timestamp":"2025-06-19T11:43:35Z"}""") => $$"""
        {"matches":{{matches}},"source":{"type":"image","target":{{target}}}{{rest}}}
        """;

    [Theory]
    [InlineData("""{"matches":[],"descriptor":{"name":"grype"}}""", true)]
    [InlineData("""{"matches":[],"source":{"type":"image"}}""", true)]
    [InlineData("""{"matches":[]}""", false)]
    [InlineData("""{"matches":{},"descriptor":{}}""", false)]
    public void Grype_CanRead_NeedsMatchesAndDescriptorOrSource(string json, bool expected) => Assert.Equal(expected, Reads(Grype, json));

    [Fact]
    public void Grype_FixStateFixedOnly_IsFixable()
    {
        var matches = "[" + string.Join(",",
            GrypeMatch("CVE-1", "Critical", "not-fixed"),
            GrypeMatch("CVE-2", "High", "Fixed"),
            GrypeMatch("CVE-3", "High", "wont-fix"),
            GrypeMatch("CVE-4", "Medium", "fixed"),
            GrypeMatch("CVE-5", "Negligible", "unknown"),
            GrypeMatch("CVE-2", "High", "fixed")) + "]";
        var result = Run(Grype, GrypeReport(matches));
        var spec = Spec(result);
        Counts(spec, 1, 2, 1, 1, 0, 0, 1);
        Assert.Equal("D", spec.Grade);
        Assert.Equal((D1, "docker.io/library/busybox:1.32.1"), (spec.Digest, spec.Image));
        Assert.Equal(("grype", "0.94.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("busybox", "1.32.1", false), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal(new DateTimeOffset(2025, 6, 19, 11, 43, 35, TimeSpan.Zero), spec.ScannedAt);
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Fact]
    public void Grype_UserInputOnly_NamesTheImageAndManifestDigestWithoutRepoDigests()
    {
        var spec = Spec(Run(Grype, GrypeReport("[]", target: $$"""{"userInput":"quay.io/org/app:7","manifestDigest":"{{D2}}"}""", rest: "")));
        Assert.Equal(("quay.io/org/app:7", D2), (spec.Image, spec.Digest));
        Assert.Equal(("grype", null), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Null(spec.Os);
    }

    [Fact]
    public void Grype_DistroWithoutName_IsNoOs()
    {
        var spec = Spec(Run(Grype, GrypeReport("[]", rest: ""","distro":{"version":"12"},"descriptor":{"version":"1"}""")));
        Assert.Null(spec.Os);
    }

    [Fact]
    public void Grype_NoTarget_HasNoDigest()
    {
        var result = Run(Grype, """{"matches":[],"source":{"type":"directory","target":"/src"},"descriptor":{"name":"grype"}}""");
        Assert.Contains("no image digest", result.Error, StringComparison.Ordinal);
    }

    // ---- SARIF

    private static string SarifReport(string results, string rules = "[]", string properties = $$"""{"repoTags":["alpine:3.10"],"repoDigests":["alpine@{{D1}}"]}""", string invocations = "[]", string version = "\"version\":\"2.1.0\",") => $$"""
        {{{version}}"runs":[{"tool":{"driver":{"name":"Trivy","version":"0.43.1","rules":{{rules}}} },"results":{{results}},"invocations":{{invocations}},"properties":{{properties}}}]}
        """;

    private static string SarifResult(string ruleId, string message, int ruleIndex = -1, string locations = "[]") =>
        $$"""{"ruleId":"{{ruleId}}",{{(ruleIndex >= 0 ? $"\"ruleIndex\":{ruleIndex}," : "")}}"level":"error","message":{"text":"{{message}}"},"locations":{{locations}}}""";

    private static string TrivyMessage(string package, string installed, string severity, string fixedVersion) =>
        $"Package: {package}\\nInstalled Version: {installed}\\nVulnerability X\\nSeverity: {severity}\\nFixed Version: {fixedVersion}\\nLink: [X](https://avd.aquasec.com)";

    [Theory]
    [InlineData("""{"version":"2.1.0","runs":[]}""", true)]
    [InlineData("""{"$schema":"https://json.schemastore.org/SARIF-2.1.0.json","runs":[]}""", true)]
    [InlineData("""{"version":"2.0.0","runs":[]}""", false)]
    [InlineData("""{"version":"2.1.0","runs":{}}""", false)]
    [InlineData("""{"version":"2.1.0"}""", false)]
    [InlineData("""{"runs":[]}""", false)]
    [InlineData("""{"$schema":"http://cyclonedx.org/schema/bom-1.5.schema.json","runs":[]}""", false)]
    public void Sarif_CanRead_NeedsRunsAndVersionOrSchema(string json, bool expected) => Assert.Equal(expected, Reads(Sarif, json));

    [Theory]
    [InlineData("[]", "0 runs")]
    [InlineData("[{},{}]", "2 runs")]
    public void Sarif_NotExactlyOneRun_IsAnError(string runs, string expected)
    {
        using var document = JsonDocument.Parse($$"""{"version":"2.1.0","runs":{{runs}}}""");
        Assert.Contains(expected, Sarif.Import(document.RootElement, new ScanImportOptions("alpine@" + D1, Now, GradeScale.Default)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sarif_TrivyMessages_SeverityPackageAndFixedVersion()
    {
        var results = "[" + string.Join(",",
            SarifResult("CVE-1", TrivyMessage("openssl", "1.0", "CRITICAL", "1.1")),
            SarifResult("CVE-1", TrivyMessage("openssl", "1.0", "CRITICAL", "1.1")),  // the same finding again
            SarifResult("CVE-1", TrivyMessage("openssl", "1.0.1", "CRITICAL", "")),   // another installed version, no fix
            SarifResult("CVE-2", TrivyMessage("zlib", "1.2", "HIGH", "1.3")),
            SarifResult("CVE-3", TrivyMessage("zlib", "1.2", "LOW", ""))) + "]";
        var result = Run(Sarif, SarifReport(results, invocations: """[{"startTimeUtc":"2026-11-19T08:00:00Z"}]"""));
        var spec = Spec(result);
        Counts(spec, 2, 1, 0, 1, 0, 1, 1);
        Assert.Equal("E", spec.Grade);
        Assert.Equal(("trivy", "0.43.1"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 8, 0, 0, TimeSpan.Zero), spec.ScannedAt);
        Assert.Equal(("docker.io/library/alpine:3.10", D1), (spec.Image, spec.Digest));
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Fact]
    public void Sarif_EndTimeWinsOverStartTime()
    {
        var spec = Spec(Run(Sarif, SarifReport("[]", invocations: """[{"startTimeUtc":"2026-11-19T08:00:00Z","endTimeUtc":"2026-11-19T08:05:00Z"}]""")));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 8, 5, 0, TimeSpan.Zero), spec.ScannedAt);
    }

    [Fact]
    public void Sarif_SeverityFromRuleTags_ByIndexOrById()
    {
        const string rules = """
            [{"id":"CVE-1","properties":{"tags":["vulnerability","security","HIGH"]}},
             {"id":"CVE-2","properties":{"tags":["vulnerability","CRITICAL","unknown"]}},
             {"id":"CVE-3","properties":{"tags":["vulnerability","security"]}},
             {"id":"CVE-4","properties":{"tags":["LOW"]}},
             {"id":"CVE-4","properties":{"tags":["MEDIUM"]}}]
            """;

        // No "Severity:" line: the rule's tags decide. CVE-2 carries a wrong index (0, CVE-1's), so it is found by id;
        // its last tag "unknown" is passed over for CRITICAL. CVE-3 has no severity tag: unknown.
        var results = "[" + string.Join(",",
            SarifResult("CVE-1", "Package: a\\nInstalled Version: 1\\nFixed Version: 2", ruleIndex: 0),
            SarifResult("CVE-2", "Package: b\\nInstalled Version: 1", ruleIndex: 0),
            SarifResult("CVE-3", "Package: c\\nInstalled Version: 1", ruleIndex: 2),
            SarifResult("CVE-1", "Package: d\\nInstalled Version: 1", ruleIndex: 7),
            SarifResult("CVE-1", "Package: f\\nInstalled Version: 1", ruleIndex: 5),  // just past the last rule
            SarifResult("CVE-1", "Severity: \\nPackage: g\\nInstalled Version: 1", ruleIndex: 0),  // an empty Severity line says nothing
            SarifResult("CVE-4", "Package: h\\nInstalled Version: 1", ruleIndex: 4),  // the rule the index names, not the first with that id
            SarifResult("CVE-9", "Package: e\\nInstalled Version: 1")) + "]";
        var spec = Spec(Run(Sarif, SarifReport(results, rules)));
        Counts(spec, 1, 4, 1, 0, 2, 0, 1);
    }

    [Fact]
    public void Sarif_SeverityLineWinsOverRuleTags()
    {
        const string rules = """[{"id":"CVE-1","properties":{"tags":["vulnerability","LOW"]}}]""";
        var spec = Spec(Run(Sarif, SarifReport("[" + SarifResult("CVE-1", TrivyMessage("a", "1", "CRITICAL", ""), ruleIndex: 0) + "]", rules)));
        Counts(spec, 1, 0, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void Sarif_OtherScannersMessages_OneFindingPerRuleAndLocation()
    {
        const string rules = """[{"id":"R1","properties":{"tags":["HIGH"]}}]""";
        static string Location(string uri, int line) => $$"""[{"physicalLocation":{"artifactLocation":{"uri":"{{uri}}"},"region":{"startLine":{{line}}} } }]""";
        var results = "[" + string.Join(",",
            SarifResult("R1", "weak cipher", 0, Location("app/Dockerfile", 3)),
            SarifResult("R1", "weak cipher", 0, Location("app/Dockerfile", 3)),
            SarifResult("R1", "weak cipher", 0, Location("app/Dockerfile", 9)),
            SarifResult("R1", "weak cipher", 0, Location("lib/Dockerfile", 3)),
            SarifResult("R2", "no location")) + "]";                                // no rule, no location: one unknown finding
        var result = Run(Sarif, SarifReport(results, rules));
        Counts(Spec(result), 0, 3, 0, 0, 1, 0, 0);
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Fact]
    public void Sarif_NoTool_SeverityUnknownAndNameSarif()
    {
        var report = $$"""
            {"version":"2.1.0","runs":[{"results":[{"ruleId":"CVE-1","ruleIndex":0,"message":{"text":"Package: a\nInstalled Version: 1"} }],
             "properties":{"imageName":"ghcr.io/org/app:5","repoDigests":["ghcr.io/org/app@{{D3}}"]} }]}
            """;
        var spec = Spec(Run(Sarif, report));
        Counts(spec, 0, 0, 0, 0, 1, 0, 0);
        Assert.Equal("sarif", spec.Scanner!.Name);
    }

    [Fact]
    public void Sarif_ImageNameAndNoDriverName()
    {
        var report = $$"""
            {"$schema":"https://docs.oasis-open.org/sarif/sarif/v2.1.0/schema/sarif-schema-2.1.0.json",
             "runs":[{"tool":{"driver":{} },"results":[],"properties":{"imageName":"ghcr.io/org/app:5","repoDigests":["ghcr.io/org/app@{{D3}}"]} }]}
            """;
        var spec = Spec(Run(Sarif, report));
        Assert.Equal(("ghcr.io/org/app:5", D3), (spec.Image, spec.Digest));
        Assert.Equal(("sarif", null), (spec.Scanner!.Name, spec.Scanner.Version));
    }

    // ---- CycloneDX

    private static string Cdx(string vulnerabilities, string metadata = $$"""
        {"timestamp":"2024-01-04T15:25:30+00:00","tools":{"components":[{"type":"application","name":"Trivy","version":"0.48.1"}]},
         "component":{"type":"container","name":"ubuntu:22.04","properties":[{"name":"aquasecurity:trivy:ImageID","value":"{{D3}}"},{"name":"aquasecurity:trivy:RepoDigest","value":"ubuntu@{{D1}}"}]} }
        """, string components = """[{"type":"operating-system","name":"ubuntu","version":"22.04"}]""") => $$"""
        {"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{{metadata}},"components":{{components}},"vulnerabilities":{{vulnerabilities}}}
        """;

    private static string CdxVuln(string id, string ratings, string source = "ubuntu", string refs = "pkg-a", string extra = "", string versionStatus = "affected") => $$"""
        {"id":"{{id}}","source":{"name":"{{source}}"},"ratings":{{ratings}},{{extra}}
         "affects":[{{string.Join(",", refs.Split(' ').Select(r => Affect(r, versionStatus)))}}]}
        """;

    // status "-" writes an affects entry without versions; "a/b" two versions with those statuses.
    private static string Affect(string reference, string status) => status == "-"
        ? "{\"ref\":\"" + reference + "\"}"
        : "{\"ref\":\"" + reference + "\",\"versions\":[" + string.Join(",", status.Split('/').Select((s, i) => "{\"version\":\"" + (i + 1) + "\",\"status\":\"" + s + "\"}")) + "]}";

    [Theory]
    [InlineData("""{"bomFormat":"cyclonedx"}""", true)]
    [InlineData("""{"bomFormat":"SPDX"}""", false)]
    [InlineData("""{"specVersion":"1.5"}""", false)]
    public void CycloneDx_CanRead_ByBomFormat(string json, bool expected) => Assert.Equal(expected, Reads(CycloneDx, json));

    [Fact]
    public void CycloneDx_NoVulnerabilitiesArray_IsNotAScan()
    {
        using var document = JsonDocument.Parse("""{"bomFormat":"CycloneDX","components":[]}""");
        Assert.Contains("no vulnerabilities array", CycloneDx.Import(document.RootElement, new ScanImportOptions("a@" + D1, Now, GradeScale.Default)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CycloneDx_OwnSourceRatingWinsElseHighestOfAll()
    {
        var vulnerabilities = "[" + string.Join(",",
            // The distro (the vulnerability's own source) says low; NVD says critical: low.
            CdxVuln("CVE-1", """[{"source":{"name":"nvd"},"severity":"critical"},{"source":{"name":"Ubuntu"},"severity":"low"}]"""),
            // No rating from its own source: the highest of all.
            CdxVuln("CVE-2", """[{"source":{"name":"nvd"},"severity":"medium"},{"source":{"name":"ghsa"},"severity":"high"}]"""),
            // No ratings at all: unknown.
            CdxVuln("CVE-3", "[]"),
            // Two ratings from its own source: the highest of them.
            CdxVuln("CVE-4", """[{"source":{"name":"ubuntu"},"severity":"medium"},{"source":{"name":"ubuntu"},"severity":"critical"},{"source":{"name":"nvd"},"severity":"low"}]"""),
            // No source of its own: the highest of all.
            CdxVuln("CVE-5", """[{"severity":"info"},{"source":{"name":"nvd"},"severity":"medium"}]""", source: "")) + "]";
        var spec = Spec(Run(CycloneDx, Cdx(vulnerabilities)));
        Counts(spec, 1, 1, 1, 1, 1, 0, 0);
        Assert.Equal(("docker.io/library/ubuntu:22.04", D1), (spec.Image, spec.Digest));
        Assert.Equal(("trivy", "0.48.1"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("ubuntu", "22.04"), (spec.Os!.Family, spec.Os.Name));
        Assert.Equal(new DateTimeOffset(2024, 1, 4, 15, 25, 30, TimeSpan.Zero), spec.ScannedAt);
    }

    [Fact]
    public void CycloneDx_RecommendationOrUnaffectedVersion_IsFixable()
    {
        const string critical = """[{"source":{"name":"ubuntu"},"severity":"critical"}]""";
        const string high = """[{"source":{"name":"ubuntu"},"severity":"high"}]""";
        var vulnerabilities = "[" + string.Join(",",
            CdxVuln("CVE-1", critical, extra: "\"recommendation\":\"Upgrade to 2.0\","),
            CdxVuln("CVE-2", critical, extra: "\"recommendation\":\"  \","),
            CdxVuln("CVE-3", high, versionStatus: "unaffected"),
            CdxVuln("CVE-4", high),
            CdxVuln("CVE-5", high, versionStatus: "affected/unaffected"),  // fixed in a later version
            CdxVuln("CVE-6", critical, versionStatus: "-")) + "]";            // no version information: not known to be fixed
        Counts(Spec(Run(CycloneDx, Cdx(vulnerabilities))), 3, 3, 0, 0, 0, 1, 2);
    }

    [Fact]
    public void CycloneDx_SameVulnerabilityAndAffectedRefs_CountedOnce()
    {
        const string high = """[{"source":{"name":"ubuntu"},"severity":"high"}]""";
        var vulnerabilities = "[" + string.Join(",",
            CdxVuln("CVE-1", high, refs: "pkg-a pkg-b"),
            CdxVuln("CVE-1", high, refs: "pkg-b pkg-a"),   // the same refs in another order
            CdxVuln("CVE-1", high, refs: "pkg-a"),
            CdxVuln("CVE-2", high, refs: "a bc"),
            CdxVuln("CVE-2", high, refs: "ab c")) + "]";                 // other packages, not the same joined text
        var result = Run(CycloneDx, Cdx(vulnerabilities));
        Counts(Spec(result), 0, 4, 0, 0, 0, 0, 0);
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Fact]
    public void CycloneDx_Version14ToolsArrayAndRepoTag()
    {
        var metadata = $$"""
            {"tools":[{"vendor":"aquasecurity","name":"trivy","version":"0.40.0"}],
             "component":{"type":"container","name":"ignored-when-tag-matches",
                          "properties":[{"name":"aquasecurity:trivy:RepoTag","value":"quay.io/org/app:3"},{"name":"aquasecurity:trivy:RepoDigest","value":"quay.io/org/app@{{D2}}"}]} }
            """;
        var spec = Spec(Run(CycloneDx, Cdx("[]", metadata, components: "[]")));
        Assert.Equal(("quay.io/org/app:3", D2), (spec.Image, spec.Digest));
        Assert.Equal(("trivy", "0.40.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Null(spec.Os);
        Assert.Equal(Now, spec.ScannedAt);
    }

    [Theory]
    [InlineData("pkg:oci/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222?repository_url=quay.io/org/app", D2)]
    [InlineData("pkg:oci/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222#frag", D2)]
    [InlineData("pkg:oci/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222", D2)]
    public void CycloneDx_OciPurl_GivesTheDigest(string purl, string expected)
    {
        var metadata = $$"""{"component":{"type":"container","name":"quay.io/org/app:3","purl":"{{purl}}"} }""";
        var spec = Spec(Run(CycloneDx, Cdx("[]", metadata)));
        Assert.Equal((expected, "quay.io/org/app:3"), (spec.Digest, spec.Image));
        Assert.Equal(("cyclonedx", null), (spec.Scanner!.Name, spec.Scanner.Version));
    }

    [Theory]
    [InlineData("pkg:oci/app?repository_url=quay.io/org/app")]
    [InlineData("pkg:oci/app@latest")]
    [InlineData("pkg:docker/app@sha256%3A2222222222222222222222222222222222222222222222222222222222222222")]
    public void CycloneDx_PurlWithoutOciDigest_GivesNoDigest(string purl)
    {
        var metadata = $$"""{"component":{"type":"container","name":"quay.io/org/app:3","purl":"{{purl}}"} }""";
        Assert.Contains("no image digest", Run(CycloneDx, Cdx("[]", metadata)).Error, StringComparison.Ordinal);

        // Not a digest at all, so not even an "ignored repo digest".
        var withImage = Run(CycloneDx, Cdx("[]", metadata), "quay.io/org/app:3@" + D2);
        Assert.Equal(D2, Spec(withImage).Digest);
        Assert.DoesNotContain(withImage.Warnings, w => w.StartsWith("ignored repo digest", StringComparison.Ordinal));
    }

    [Fact]
    public void CycloneDx_RepoDigestPropertyWinsOverPurl()
    {
        var metadata = $$"""
            {"component":{"type":"container","name":"quay.io/org/app:3","purl":"pkg:oci/app@sha256%3A3333333333333333333333333333333333333333333333333333333333333333",
                          "properties":[{"name":"aquasecurity:trivy:RepoDigest","value":"quay.io/org/app@{{D2}}"},{"name":"aquasecurity:trivy:RepoDigest","value":" "},
                                        {"name":"aquasecurity:trivy:RepoDigest"},{"name":"aquasecurity:trivy:RepoTag","value":""}]} }
            """;
        var result = Run(CycloneDx, Cdx("[]", metadata));
        Assert.Equal(D2, Spec(result).Digest);

        // Blank or missing property values are no digests at all (no "ignored" warning).
        Assert.DoesNotContain(result.Warnings, w => w.StartsWith("ignored repo digest", StringComparison.Ordinal));
    }

    [Fact]
    public void CycloneDx_ComponentThatIsNotAContainer_DoesNotNameTheImage()
    {
        var metadata = $$"""{"component":{"type":"application","name":"app","properties":[{"name":"aquasecurity:trivy:RepoDigest","value":"{{D2}}"}]} }""";
        Assert.Contains("does not name the image", Run(CycloneDx, Cdx("[]", metadata)).Error, StringComparison.Ordinal);
    }

    // ---- trivy-operator

    private static string OperatorReport(string name, string repository, string? tag, string? digest, string vulnerabilities = "[]", string summary = "", string server = "index.docker.io", string extra = "") => $$"""
        {"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"VulnerabilityReport",
         "metadata":{"name":"{{name}}","creationTimestamp":"2024-01-23T13:43:55Z"},
         "report":{"scanner":{"name":"Trivy","version":"0.48.3"},{{(server.Length == 0 ? "" : "\"registry\":{\"server\":\"" + server + "\"},")}}
          "artifact":{"repository":"{{repository}}"{{(tag is null ? "" : $",\"tag\":\"{tag}\"")}}{{(digest is null ? "" : $",\"digest\":\"{digest}\"")}}},
          {{extra}}"vulnerabilities":{{vulnerabilities}}{{summary}} } }
        """;

    private static string OperatorVuln(string id, string resource, string severity, string fixedVersion = "", string installed = "1") =>
        $$"""{"vulnerabilityID":"{{id}}","resource":"{{resource}}","installedVersion":"{{installed}}","fixedVersion":"{{fixedVersion}}","severity":"{{severity}}"}""";

    [Theory]
    [InlineData("""{"kind":"VulnerabilityReport","report":{}}""", true)]
    [InlineData("""{"kind":"ClusterVulnerabilityReport","report":{}}""", true)]
    [InlineData("""{"kind":"VulnerabilityReport","report":[]}""", false)]
    [InlineData("""{"kind":"ConfigAuditReport","report":{}}""", false)]
    [InlineData("""{"kind":"List","items":[{"kind":"ConfigMap"},{"kind":"VulnerabilityReport","report":{}}]}""", true)]
    [InlineData("""{"kind":"List","items":[{"kind":"ConfigMap"}]}""", false)]
    [InlineData("""{"kind":"List","items":{}}""", false)]
    public void Operator_CanRead_AReportOrAListHoldingOne(string json, bool expected) => Assert.Equal(expected, Reads(Operator, json));

    [Fact]
    public void Operator_SummaryNoneCountsAsLowAndLargerCountWins()
    {
        var vulnerabilities = "[" + string.Join(",",
            OperatorVuln("CVE-1", "openssl", "CRITICAL", "1.1"),
            OperatorVuln("CVE-2", "zlib", "HIGH", "1.3"),
            OperatorVuln("CVE-3", "zlib", "HIGH"),
            OperatorVuln("CVE-3", "zlib", "HIGH"),
            OperatorVuln("CVE-4", "musl", "MEDIUM", "2"),
            OperatorVuln("CVE-4", "musl", "MEDIUM", "2", installed: "0.9")) + "]";
        const string summary = ""","summary":{"criticalCount":0,"highCount":4,"mediumCount":1,"lowCount":2,"noneCount":3,"unknownCount":1}""";
        var result = Run(Operator, OperatorReport("r", "library/ubuntu", "20.04", D1, vulnerabilities, summary, extra: """ "os":{"family":"ubuntu","name":"20.04","eosl":false},"updateTimestamp":"2024-01-24T00:00:00Z","""));
        var spec = Spec(result);

        // critical max(1, 0), high max(2, 4), medium max(2, 1), low max(0, 2 + 3), unknown max(0, 1); fixable from the list.
        Counts(spec, 1, 4, 2, 5, 1, 1, 1);
        Assert.Equal("E", spec.Grade);
        Assert.Equal(("docker.io/library/ubuntu:20.04", D1), (spec.Image, spec.Digest));
        Assert.Equal(("trivy", "0.48.3"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("ubuntu", "20.04", false), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal(new DateTimeOffset(2024, 1, 24, 0, 0, 0, TimeSpan.Zero), spec.ScannedAt);
        var disagreement = Assert.Single(result.Warnings, w => w.Contains("disagrees", StringComparison.Ordinal));
        Assert.StartsWith("report.summary (critical 0, high 4, medium 1, low 5, unknown 1) disagrees with report.vulnerabilities (critical 1, high 2, medium 2, low 0, unknown 0)", disagreement, StringComparison.Ordinal);
        Assert.Contains("1 duplicate finding(s) counted once", result.Warnings);
    }

    [Theory]
    [InlineData(""","summary":{"criticalCount":1,"highCount":0,"mediumCount":0,"lowCount":0,"unknownCount":0}""", false)]
    [InlineData(""","summary":{"criticalCount":0,"highCount":0,"mediumCount":0,"lowCount":0,"unknownCount":0}""", true)]
    [InlineData(""","summary":{"criticalCount":1,"highCount":1,"mediumCount":0,"lowCount":0,"unknownCount":0}""", true)]
    [InlineData(""","summary":{"criticalCount":1,"highCount":0,"mediumCount":1,"lowCount":0,"unknownCount":0}""", true)]
    [InlineData(""","summary":{"criticalCount":1,"highCount":0,"mediumCount":0,"lowCount":1,"unknownCount":0}""", true)]
    [InlineData(""","summary":{"criticalCount":1,"highCount":0,"mediumCount":0,"lowCount":0,"unknownCount":1}""", true)]
    [InlineData("", false)]
    public void Operator_SummaryDisagreeingInAnySeverity_Warns(string summary, bool warns)
    {
        var vulnerabilities = "[" + OperatorVuln("CVE-1", "openssl", "CRITICAL") + "]";
        var result = Run(Operator, OperatorReport("r", "library/ubuntu", "20.04", D1, vulnerabilities, summary));
        Assert.Equal(warns, result.Warnings.Any(w => w.Contains("disagrees", StringComparison.Ordinal)));
    }

    [Fact]
    public void Operator_OsWithoutEosl_IsNotEndOfLife()
    {
        var spec = Spec(Run(Operator, OperatorReport("r", "library/ubuntu", "24.04", D1, extra: """ "os":{"family":"ubuntu","name":"24.04"},""")));
        Assert.Equal(("ubuntu", "24.04", false), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal("A", spec.Grade);
    }

    [Fact]
    public void Operator_EndOfLifeOsAndCreationTimestamp()
    {
        var report = OperatorReport("r", "library/centos", "8", D1, extra: """ "os":{"family":"centos","name":"8.4","eosl":true},""");
        var spec = Spec(Run(Operator, report));
        Assert.Equal(("centos", "8.4", true), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal("F", spec.Grade);
        Assert.Equal(new DateTimeOffset(2024, 1, 23, 13, 43, 55, TimeSpan.Zero), spec.ScannedAt);
    }

    [Theory]
    [InlineData("ghcr.io", "org/app", "1.2", "ghcr.io/org/app:1.2")]
    [InlineData("", "quay.io/org/app", "1.2", "quay.io/org/app:1.2")]
    [InlineData("ghcr.io", "org/app", null, "ghcr.io/org/app")]
    public void Operator_ImageFromRegistryRepositoryAndTag(string server, string repository, string? tag, string expected) =>
        Assert.Equal(expected, Spec(Run(Operator, OperatorReport("r", repository, tag, D1, server: server))).Image);

    [Fact]
    public void Operator_NoScannerName_IsTrivy()
    {
        const string report = $$"""
            {"kind":"ClusterVulnerabilityReport","metadata":{"name":"c"},"report":{"artifact":{"repository":"library/nginx","tag":"1.25","digest":"{{D1}}"},"vulnerabilities":[]} }
            """;
        var spec = Spec(Run(Operator, report));
        Assert.Equal(("trivy", null), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal("docker.io/library/nginx:1.25", spec.Image);
        Assert.Equal(Now, spec.ScannedAt);
    }

    private static string OperatorList() => "{\"kind\":\"List\",\"items\":[" + string.Join(",",
        OperatorReport("nginx-a", "library/nginx", "1.25", D1, "[" + OperatorVuln("CVE-1", "x", "CRITICAL") + "]"),
        OperatorReport("nginx-b", "library/nginx", "1.26", D2, "[" + OperatorVuln("CVE-2", "x", "HIGH") + "]"),
        OperatorReport("redis", "library/redis", "7", D3),
        """{"kind":"ConfigAuditReport","report":{}}""") + "]}";

    [Theory]
    [InlineData("nginx@" + D2, D2)]
    [InlineData("nginx:1.25", D1)]
    [InlineData("docker.io/library/nginx:1.26", D2)]
    [InlineData("redis", D3)]
    [InlineData("redis:7", D3)]
    public void Operator_List_ImagePicksOneReport(string image, string expected) =>
        Assert.Equal(expected, Spec(Run(Operator, OperatorList(), image)).Digest);

    [Theory]
    [InlineData(null, "the list holds 3 reports (index.docker.io/library/nginx:1.25, index.docker.io/library/nginx:1.26, index.docker.io/library/redis:7); pick one with --image")]
    [InlineData("nginx", "--image nginx matches 2 of the 3 reports in the list; it must match one")]
    [InlineData("nginx:1.27", "--image nginx:1.27 matches 0 of the 3 reports in the list; it must match one")]
    [InlineData("Nginx", "pick one with --image")]
    public void Operator_List_AmbiguousOrUnmatched_IsAnError(string? image, string expected)
    {
        var result = Run(Operator, OperatorList(), image);
        Assert.Null(result.Scan);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_List_ReportWithoutRepository_IsNamedByItsObjectName()
    {
        var list = "{\"kind\":\"List\",\"items\":[" + OperatorReport("redis", "library/redis", "7", D3) + "," +
            """{"kind":"VulnerabilityReport","metadata":{"name":"pod-web"},"report":{"artifact":{"digest":"sha256:4444444444444444444444444444444444444444444444444444444444444444"}}},""" +
            """{"kind":"VulnerabilityReport","report":{"artifact":{}}}]}""";
        Assert.Contains("the list holds 3 reports (index.docker.io/library/redis:7, pod-web, ?); pick one with --image", Run(Operator, list).Error, StringComparison.Ordinal);

        // Picked by digest; the report names no image, so --image's repository does.
        var spec = Spec(Run(Operator, list, "app@sha256:4444444444444444444444444444444444444444444444444444444444444444"));
        Assert.Equal(("docker.io/library/app", "sha256:4444444444444444444444444444444444444444444444444444444444444444"), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Operator_ListOfOneReport_IsThatReport()
    {
        var list = "{\"kind\":\"List\",\"items\":[" + OperatorReport("redis", "library/redis", "7", D3) + ",{\"kind\":\"Pod\"}]}";
        Assert.Equal(("docker.io/library/redis:7", D3), (Spec(Run(Operator, list)).Image, Spec(Run(Operator, list)).Digest));
    }

    [Fact]
    public void Operator_List_DigestWithoutReportDigest_FallsBackToTheName()
    {
        var list = "{\"kind\":\"List\",\"items\":[" + string.Join(",",
            OperatorReport("a", "library/nginx", "1.25", null),
            OperatorReport("b", "library/nginx", "1.26", null)) + "]}";
        var spec = Spec(Run(Operator, list, "nginx:1.26@" + D2));
        Assert.Equal(("docker.io/library/nginx:1.26", D2), (spec.Image, spec.Digest));
    }

    [Fact]
    public void Operator_YamlDocuments_BecomeAList()
    {
        const string yaml = $$"""
            apiVersion: aquasecurity.github.io/v1alpha1
            kind: VulnerabilityReport
            metadata: {name: a}
            report:
              artifact: {repository: library/nginx, tag: "1.25", digest: "{{D1}}"}
              vulnerabilities: []
            ---
            apiVersion: aquasecurity.github.io/v1alpha1
            kind: VulnerabilityReport
            metadata: {name: b}
            report:
              artifact: {repository: library/redis, tag: "7", digest: "{{D3}}"}
              vulnerabilities: []
            """;
        Assert.Contains("the list holds 2 reports", Run(Operator, yaml).Error, StringComparison.Ordinal);
        Assert.Equal(D3, Spec(Run(Operator, yaml, "redis:7")).Digest);
    }

    [Fact]
    public void Import_NullOptions_Throws()
    {
        using var document = JsonDocument.Parse("{}");
        foreach (var importer in ScanReportImporters.All)
        {
            Assert.Throws<ArgumentNullException>(() => importer.Import(document.RootElement, null!));
        }
    }
}
