using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;
using static AdmissionGuard.Tests.Scans.ImportAssert;

namespace AdmissionGuard.Tests.Scans;

// Expected numbers are the fixtures README's, worked out from the files; where the brief's de-duplication
// changes a README count, the comment says so.
public class ImporterTests
{
    // A digest the tests supply with --image for reports that carry none.
    private const string Supplied = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static readonly TrivyJsonImporter Trivy = new();
    private static readonly GrypeJsonImporter Grype = new();
    private static readonly SarifImporter Sarif = new();
    private static readonly CycloneDxImporter CycloneDx = new();
    private static readonly TrivyOperatorImporter Operator = new();

    [Fact]
    public void Trivy_Alpine310_UsesRepoDigestNotImageId()
    {
        var spec = Spec(Import(Trivy, "trivy/trivy-action-alpine-3.10-critical.json"));
        Assert.Equal("sha256:451eee8bedcb2f029756dc3e9d73bab0e7943c1ac55cff3a4861c52a0fdd3e98", spec.Digest);
        Assert.Equal("docker.io/library/alpine:3.10", spec.Image);
        Counts(spec, 1, 0, 0, 0, 0, 1, 0);
        Assert.Equal(("trivy", "0.72.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("alpine", "3.10.9", true), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal("F", spec.Grade);
        Assert.Equal(Now, spec.ScannedAt); // the report has no CreatedAt
    }

    [Fact]
    public void Trivy_NoRepoDigest_IsAnErrorThatNamesImageId()
    {
        var result = Import(Trivy, "trivy/trivy-golden-alpine-39.json");
        Assert.Null(result.Scan);
        Assert.Contains("no image digest", result.Error, StringComparison.Ordinal);
        Assert.Contains("--image", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Trivy_Alpine39_WithImageDigest_CountsAndTakesTagFromReport()
    {
        var spec = Spec(Import(Trivy, "trivy/trivy-golden-alpine-39.json", "ghcr.io/aquasecurity/trivy-test-images@" + Supplied));
        Assert.Equal(Supplied, spec.Digest);
        Assert.Equal("ghcr.io/aquasecurity/trivy-test-images:alpine-39", spec.Image);
        Counts(spec, 2, 0, 4, 0, 0, 2, 0);
        Assert.Equal(new DateTimeOffset(2021, 8, 25, 12, 20, 30, TimeSpan.Zero), spec.ScannedAt!.Value.AddTicks(-(spec.ScannedAt.Value.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void Trivy_DebianBuster_AffectedWithoutFixIsNotFixable()
    {
        var spec = Spec(Import(Trivy, "trivy/trivy-golden-debian-buster.json", "debian:10@" + Supplied));
        Assert.Equal("docker.io/library/debian:10", spec.Image);
        Counts(spec, 1, 0, 0, 1, 0, 1, 0);
        Assert.Equal("E", spec.Grade);
    }

    [Fact]
    public void Trivy_TeamDojo_CountsEveryResultIncludingNullVulnerabilities()
    {
        var spec = Spec(Import(Trivy, "trivy/defectdojo-teamdojo-os-and-jar.json", "teamdojo@" + Supplied));
        Assert.Equal("docker.io/library/teamdojo:latest", spec.Image);
        Counts(spec, 1, 1, 3, 0, 0, 1, 1);
    }

    [Fact]
    public void Sarif_TrivyGolden_SeverityFromMessageAndFixedVersion()
    {
        var spec = Spec(Import(Sarif, "trivy/trivy-golden-alpine-310.sarif", "ghcr.io/aquasecurity/trivy-test-images@" + Supplied));
        Assert.Equal("ghcr.io/aquasecurity/trivy-test-images:alpine-310", spec.Image);
        Counts(spec, 0, 0, 4, 0, 0, 0, 0);
        Assert.Equal("A", spec.Grade);
    }

    [Fact]
    public void Sarif_TrivyAction_CriticalFixable()
    {
        var spec = Spec(Import(Sarif, "trivy/trivy-action-alpine-3.10-image.sarif", "alpine:3.10@" + Supplied));
        Counts(spec, 1, 0, 0, 0, 0, 1, 0);
        Assert.Equal(("trivy", "0.43.1"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal("E", spec.Grade);
    }

    [Fact]
    public void Sarif_NoDigest_IsAnError() =>
        Assert.Contains("no image digest", Import(Sarif, "trivy/trivy-action-alpine-3.10-image.sarif").Error, StringComparison.Ordinal);

    [Fact]
    public void Grype_Golden_ManifestDigestWhenNoRepoDigest()
    {
        var spec = Spec(Import(Grype, "grype/grype-golden-json-image-presenter.json"));
        Assert.Equal("sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5", spec.Digest);
        Counts(spec, 1, 0, 0, 1, 0, 0, 0);
        Assert.Equal("D", spec.Grade);
    }

    [Fact]
    public void Grype_Busybox_RepoDigestWinsOverManifestDigest()
    {
        var spec = Spec(Import(Grype, "grype/defectdojo-busybox-1.32.1-epss.json"));
        Assert.Equal("sha256:ae39a6f5c07297d7ab64dbd4f82c77c874cc6a94cea29fdec309d0992574b4f7", spec.Digest);
        Assert.Equal("docker.io/library/busybox:1.32.1", spec.Image);
        Counts(spec, 1, 10, 2, 2, 0, 0, 0);
        Assert.Equal(("grype", "0.94.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(new DateTimeOffset(2025, 6, 19, 11, 43, 35, TimeSpan.Zero), spec.ScannedAt!.Value.AddTicks(-(spec.ScannedAt.Value.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void Grype_Xjoin_MissingSeverityIsUnknownAndOnlyFixedStateIsFixable()
    {
        var spec = Spec(Import(Grype, "grype/defectdojo-xjoin-kafka-connect-strimzi.json"));
        Assert.Equal("sha256:97e6d5aeed19f627205b218f45b284cd01ff658dd181416ab1d3e21aeb28d68e", spec.Digest);
        Assert.Equal("quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest", spec.Image);

        // 8 of the 18 highs are fix.state fixed (10 not-fixed); the critical is fixed.
        Counts(spec, 1, 18, 13, 2, 1, 1, 8);
        Assert.Equal(("redhat", "8.7"), (spec.Os!.Family, spec.Os.Name));
    }

    [Fact]
    public void Grype_FixStates_DuplicateMatchCountsOnceAndWontFixIsNotFixable()
    {
        var result = Import(Grype, "grype/defectdojo-vulnerable-image-fix-states.json");
        var spec = Spec(result);
        Assert.Equal("sha256:9d8825ab20ac86b40eb71495bece1608a302fb180384740697a28c2b0a5a0fc6", spec.Digest);

        // README: High 3 and fixed 2 as matches; GHSA-v6rh-hp5x-86rv in Django 3.2.9 appears twice, so 2 highs
        // and 1 fixable high. Redis' wont-fix lists fix versions and still is not fixable. Negligible counts as low.
        Counts(spec, 2, 2, 0, 1, 0, 0, 1);
        Assert.Contains(result.Warnings, w => w.Contains("1 duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public void CycloneDx_TrivyUbuntu_RatingOfVulnerabilitySourceWins()
    {
        var spec = Spec(Import(CycloneDx, "cyclonedx/defectdojo-trivy-ubuntu-latest-cdx-1.5.json"));
        Assert.Equal("sha256:6042500cf4b44023ea1894effe7890666b0c5c7871ed83a97c36c76ae560bb9b", spec.Digest);
        Assert.Equal("docker.io/library/ubuntu:latest", spec.Image);

        // Highest of all ratings would be high 4, medium 4, low 2: using it would be wrong.
        Counts(spec, 0, 0, 1, 9, 0, 0, 0);
        Assert.Equal(("trivy", "0.48.1"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(("ubuntu", "22.04"), (spec.Os!.Family, spec.Os.Name));
        Assert.Equal(new DateTimeOffset(2024, 1, 4, 15, 25, 30, TimeSpan.Zero), spec.ScannedAt);
    }

    [Fact]
    public void CycloneDx_SpecExample_HighestRatingAndRecommendationIsFixable()
    {
        Assert.Contains("no image digest", Import(CycloneDx, "cyclonedx/cyclonedx-spec-valid-vulnerability-1.5.json").Error, StringComparison.Ordinal);
        var spec = Spec(Import(CycloneDx, "cyclonedx/cyclonedx-spec-valid-vulnerability-1.5.json", "example.com/app:1@" + Supplied));
        Assert.Equal("example.com/app:1", spec.Image);
        Counts(spec, 1, 0, 0, 0, 0, 1, 0);
    }

    [Fact]
    public void Operator_Coredns_SummaryAndListDisagree_LargerCountsAndWarning()
    {
        Assert.Contains("no image digest", Import(Operator, "trivy-operator/trivy-operator-envtest-coredns-vulnerabilityreport.yaml").Error, StringComparison.Ordinal);
        var result = Import(Operator, "trivy-operator/trivy-operator-envtest-coredns-vulnerabilityreport.yaml", "k8s.gcr.io/coredns/coredns@" + Supplied);
        var spec = Spec(result);
        Assert.Equal("k8s.gcr.io/coredns/coredns:v1.8.0", spec.Image);
        Counts(spec, 0, 12, 6, 0, 9, 0, 1);
        Assert.Equal(("trivy", "0.35.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Contains(result.Warnings, w => w.Contains("disagrees", StringComparison.Ordinal));
        Assert.Equal("C", spec.Grade);
    }

    [Fact]
    public void Operator_NginxAlpine_NoDigest_IsAnError() =>
        Assert.Contains("no image digest", Import(Operator, "trivy-operator/defectdojo-nginx-alpine-vulnerabilityreport.json").Error, StringComparison.Ordinal);

    [Fact]
    public void Operator_NginxAlpine_WithImage_Counts()
    {
        var result = Import(Operator, "trivy-operator/defectdojo-nginx-alpine-vulnerabilityreport.json", "nginx@" + Supplied);
        var spec = Spec(result);
        Assert.Equal("docker.io/library/nginx:alpine", spec.Image);
        Counts(spec, 2, 3, 25, 11, 0, 2, 3);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("disagrees", StringComparison.Ordinal));
    }

    [Fact]
    public void Operator_Ubuntu_ArtifactDigest()
    {
        var spec = Spec(Import(Operator, "trivy-operator/defectdojo-ubuntu-20.04-vulnerabilityreport.json"));
        Assert.Equal("sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f", spec.Digest);
        Assert.Equal("docker.io/library/ubuntu:20.04", spec.Image);
        Counts(spec, 0, 0, 5, 0, 0, 0, 0);
        Assert.Equal(new DateTimeOffset(2024, 1, 23, 13, 43, 55, TimeSpan.Zero), spec.ScannedAt);
    }

    [Fact]
    public void Import_ImageDigestNotInReport_IsAnError()
    {
        var result = Import(Trivy, "trivy/trivy-action-alpine-3.10-critical.json", "alpine:3.10@" + Supplied);
        Assert.Null(result.Scan);
        Assert.Contains("is not in the report", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_SeveralImagesInList_NeedsImageToPick()
    {
        var ubuntu = File.ReadAllText(ScannerFixtures.PathOf("trivy-operator/defectdojo-ubuntu-20.04-vulnerabilityreport.json"));
        var nginx = File.ReadAllText(ScannerFixtures.PathOf("trivy-operator/defectdojo-nginx-alpine-vulnerabilityreport.json"));
        Assert.True(ReportDocument.TryParse($"{{\"kind\":\"List\",\"items\":[{ubuntu},{nginx}]}}", out var document, out _));
        using (document)
        {
            var root = document!.RootElement;
            Assert.True(Operator.CanRead(root));
            var ambiguous = Operator.Import(root, new ScanImportOptions(null, Now, GradeScale.Default));
            Assert.Contains("pick one with --image", ambiguous.Error, StringComparison.Ordinal);
            var picked = Spec(Operator.Import(root, new ScanImportOptions("ubuntu:20.04", Now, GradeScale.Default)));
            Assert.Equal("sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f", picked.Digest);
        }
    }

    [Fact]
    public void Import_SeveralRepoDigests_NeedsImageToPick()
    {
        const string json = """
            {"SchemaVersion":2,"ArtifactName":"app:1","Metadata":{"RepoTags":["a.example.com/app:1","b.example.com/app:1"],
             "RepoDigests":["a.example.com/app@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                            "b.example.com/app@sha256:2222222222222222222222222222222222222222222222222222222222222222"]},"Results":[]}
            """;
        Assert.True(ReportDocument.TryParse(json, out var document, out _));
        using (document)
        {
            Assert.Contains("several images", Trivy.Import(document!.RootElement, new ScanImportOptions(null, Now, GradeScale.Default)).Error, StringComparison.Ordinal);
            var spec = Spec(Trivy.Import(document.RootElement, new ScanImportOptions("b.example.com/app", Now, GradeScale.Default)));
            Assert.Equal(("b.example.com/app:1", "sha256:2222222222222222222222222222222222222222222222222222222222222222"), (spec.Image, spec.Digest));
        }
    }

    [Theory]
    [InlineData("alpine:3.10", "docker.io/library/alpine:3.10")]
    [InlineData("index.docker.io/library/nginx:alpine", "docker.io/library/nginx:alpine")]
    [InlineData("docker.io/bitnami/redis", "docker.io/bitnami/redis")]
    [InlineData("Localhost:5000/app:v1", "localhost:5000/app:v1")]
    [InlineData("quay.io/org/app:1@sha256:1111111111111111111111111111111111111111111111111111111111111111", "quay.io/org/app:1")]
    public void ImageNames_Normalize(string input, string expected)
    {
        Assert.True(ImageNames.TryNormalize(input, out var normalized, out _, out _, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("Nginx:1")]
    [InlineData("nginx@sha256:short")]
    [InlineData("")]
    public void ImageNames_Invalid(string input) => Assert.False(ImageNames.TryNormalize(input, out _, out _, out _, out _));
}
