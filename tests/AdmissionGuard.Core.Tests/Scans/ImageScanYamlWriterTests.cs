using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
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
}
