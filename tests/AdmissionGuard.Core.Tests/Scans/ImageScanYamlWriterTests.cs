using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using YamlDotNet.RepresentationModel;

namespace AdmissionGuard.Tests.Scans;

public class ImageScanYamlWriterTests
{
    [Fact]
    public void Write_QuotesStringsThatWouldReadAsOtherTypes()
    {
        var scan = new ImageScan
        {
            ApiVersion = "admissionguard.io/v1alpha1",
            Kind = "ImageScan",
            Metadata = new ObjectMeta { Name = "sha256-1e19569fea08c6de312a4862d532eb7007b3098b" },
            Spec = new ImageScanSpec
            {
                Image = "docker.io/library/nginx:1.25",
                Digest = "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78",
                Scanner = new ScannerInfo { Name = "trivy", Version = "0.58.0" },
                ScannedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
                Vulnerabilities = new SeverityCounts { High = 2, Medium = 11, Low = 40 },
                Fixable = new FixableCounts(),
                Os = new OsInfo { Family = "no", Name = "12.7", Eosl = false },
                Grade = "B",
            },
        };
        var writer = new StringWriter();
        ImageScanYamlWriter.Write(scan, writer);
        var text = writer.ToString();
        Assert.Contains("version: \"0.58.0\"", text, StringComparison.Ordinal);
        Assert.Contains("name: \"12.7\"", text, StringComparison.Ordinal);
        Assert.Contains("family: \"no\"", text, StringComparison.Ordinal);
        Assert.Contains("scannedAt: \"2026-11-20T10:00:00Z\"", text, StringComparison.Ordinal);

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var spec = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["spec"];
        Assert.Equal("docker.io/library/nginx:1.25", ((YamlScalarNode)spec["image"]).Value);
        Assert.Equal("2", ((YamlScalarNode)((YamlMappingNode)spec["vulnerabilities"])["high"]).Value);
        Assert.Equal("false", ((YamlScalarNode)((YamlMappingNode)spec["os"])["eosl"]).Value);
        Assert.Equal("B", ((YamlScalarNode)spec["grade"]).Value);
    }

    private static string Write(ImageScan scan)
    {
        var writer = new StringWriter();
        ImageScanYamlWriter.Write(scan, writer);
        return writer.ToString();
    }

    private static ImageScan Full() => new()
    {
        ApiVersion = "admissionguard.io/v1alpha1",
        Kind = "ImageScan",
        Metadata = new ObjectMeta { Name = "sha256-1e19569fea08c6de312a4862d532eb7007b3098b" },
        Spec = new ImageScanSpec
        {
            Image = "registry.example.com:5000/team/app:1.10",
            Digest = "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78",
            Scanner = new ScannerInfo { Name = "grype", Version = "0.94.0" },
            // Not UTC and with a fraction: written as UTC whole seconds.
            ScannedAt = new DateTimeOffset(2026, 11, 20, 12, 0, 5, 750, TimeSpan.FromHours(2)),
            Vulnerabilities = new SeverityCounts { Critical = 1, High = 2, Medium = 3, Low = 4, Unknown = 5 },
            Fixable = new FixableCounts { Critical = 1, High = 2 },
            Os = new OsInfo { Family = "alpine", Name = "3.10.9", Eosl = true },
            Grade = "E",
        },
    };

    [Fact]
    public void Write_EveryField_ReadsBackAsTheSameScan()
    {
        var text = Write(Full());

        // One document that starts with "---" and has no "..." end marker, so several can be concatenated.
        Assert.StartsWith("---", text, StringComparison.Ordinal);
        Assert.DoesNotContain("...", text, StringComparison.Ordinal);

        var set = new ManifestSet();
        set.AddText(text, "scan.yaml");
        Assert.Empty(set.Errors);
        var scan = Assert.Single(set.Scans);
        Assert.Equal(("admissionguard.io/v1alpha1", "ImageScan", "sha256-1e19569fea08c6de312a4862d532eb7007b3098b"), (scan.ApiVersion, scan.Kind, scan.Metadata!.Name));
        var spec = scan.Spec!;
        Assert.Equal(("registry.example.com:5000/team/app:1.10", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78"), (spec.Image, spec.Digest));
        Assert.Equal(("grype", "0.94.0"), (spec.Scanner!.Name, spec.Scanner.Version));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 5, TimeSpan.Zero), spec.ScannedAt);
        var c = spec.Vulnerabilities!;
        Assert.Equal((1, 2, 3, 4, 5), (c.Critical, c.High, c.Medium, c.Low, c.Unknown));
        Assert.Equal((1, 2), (spec.Fixable!.Critical, spec.Fixable.High));
        Assert.Equal(("alpine", "3.10.9", true), (spec.Os!.Family, spec.Os.Name, spec.Os.Eosl));
        Assert.Equal("E", spec.Grade);
        Assert.Contains("scannedAt: \"2026-11-20T10:00:05Z\"", text, StringComparison.Ordinal);
        Assert.Contains("eosl: true", text, StringComparison.Ordinal);
        Assert.Contains("critical: 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AbsentParts_AreLeftOut()
    {
        var scan = Full();
        scan.Spec!.Scanner = null;
        scan.Spec.Fixable = null;
        scan.Spec.Os = null;
        scan.Spec.Grade = null;
        scan.Spec.ScannedAt = null;
        var text = Write(scan);
        foreach (var key in new[] { "scanner:", "fixable:", "os:", "grade:", "scannedAt:" })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        }

        Assert.Contains("vulnerabilities:", text, StringComparison.Ordinal);
        var bare = Write(new ImageScan { Kind = "ImageScan" });
        Assert.Contains("kind: ImageScan", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("spec", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("metadata", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("apiVersion", bare, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Eosl_IsAPlainBoolean()
    {
        var scan = Full();
        scan.Spec!.Os!.Eosl = false;
        Assert.Contains("eosl: false", Write(scan), StringComparison.Ordinal);
    }

    // YAML 1.1 (kubectl) reads these plain words as booleans or null; written plain they would not be strings.
    [Theory]
    [InlineData("y")]
    [InlineData("N")]
    [InlineData("yes")]
    [InlineData("No")]
    [InlineData("on")]
    [InlineData("OFF")]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("null")]
    [InlineData("~")]
    // Numbers, dates and strings with YAML syntax in them.
    [InlineData("1.10")]
    [InlineData("2026-11-20")]
    [InlineData("a: b")]
    [InlineData("a #b")]
    [InlineData("ubuntu:")]
    [InlineData("-x")]
    [InlineData("")]
    public void Write_ValueThatWouldReadAsAnotherType_IsQuoted(string value)
    {
        var scan = Full();
        scan.Spec!.Os!.Family = value;
        var text = Write(scan);
        Assert.Contains($"family: \"{value}\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("debian")]
    [InlineData("yesterday")]
    [InlineData("docker.io/library/nginx:1.25")]
    [InlineData("Redhat_8.7-x+y@z")]
    [InlineData("a:b:c")]
    public void Write_PlainSafeValue_IsPlain(string value)
    {
        var scan = Full();
        scan.Spec!.Os!.Family = value;
        Assert.Contains($"family: {value}\n", Write(scan).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ImageScanYamlWriter.Write(null!, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => ImageScanYamlWriter.Write(Full(), null!));
    }
}
