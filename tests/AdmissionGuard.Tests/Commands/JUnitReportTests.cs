using System.Xml.Linq;
using AdmissionGuard.Commands;
using static AdmissionGuard.Tests.Commands.InProcessCheck;

namespace AdmissionGuard.Tests.Commands;

/// <summary><c>check --output junit</c>: the report Jenkins and GitLab read.</summary>
public sealed class JUnitReportTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ag-junit-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static XElement Suite(XDocument junit)
    {
        Assert.Equal("testsuites", junit.Root!.Name.LocalName);
        return Assert.Single(junit.Root.Elements("testsuite"));
    }

    private static XElement Case(XDocument junit, string name) => Suite(junit).Elements("testcase").Single(c => (string?)c.Attribute("name") == name);

    private static void AssertCounts(XElement element, int tests, int failures, int skipped)
    {
        Assert.Equal(tests.ToString(), (string?)element.Attribute("tests"));
        Assert.Equal(failures.ToString(), (string?)element.Attribute("failures"));
        Assert.Equal("0", (string?)element.Attribute("errors"));
        Assert.Equal(skipped.ToString(), (string?)element.Attribute("skipped"));
    }

    [Fact]
    public void Run_Examples_ATestCasePerWorkloadAndAFailurePerDenial()
    {
        var (code, output, error) = Run(null, "-f", WorkloadDir, "--policies", PolicyDir, "--scans", ScanDir, "--output", "junit");

        Assert.True(code == 1, error);
        var junit = XDocument.Parse(output);
        var suite = Suite(junit);
        Assert.Equal("admissionguard check", (string?)suite.Attribute("name"));
        // Five workloads in the examples; the CronJob report and the Pod shop are denied.
        AssertCounts(suite, tests: 5, failures: 2, skipped: 0);
        AssertCounts(junit.Root!, tests: 5, failures: 2, skipped: 0);
        Assert.Equal(5, suite.Elements("testcase").Count());
        Assert.Equal(2, suite.Descendants("failure").Count());

        var shop = Case(junit, "prod/shop");
        Assert.Equal("Pod", (string?)shop.Attribute("classname"));
        Assert.Equal(Example("prod-bad-pod.yaml"), (string?)shop.Attribute("file"));
        var failure = Assert.Single(shop.Elements("failure"));
        Assert.Equal("denied", (string?)failure.Attribute("type"));
        // busybox has no usable twin (its twin keeps the disallowed tag "latest"), so it is judged itself.
        Assert.StartsWith("initContainer \"setup\": image \"busybox\" is not hardened; its hardened twin \"dhi.io/busybox:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/busybox:<version>\" (ClusterImagePolicy/production); initContainer \"setup\": image \"busybox\" is from a registry that is not allowed", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.StartsWith("images denied by ClusterImagePolicy/production:\n- initContainer \"setup\": image \"busybox\" is not hardened; its hardened twin \"dhi.io/busybox:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/busybox:<version>\"\n- initContainer \"setup\": image \"busybox\" is from a registry that is not allowed", failure.Value, StringComparison.Ordinal);
        Assert.Contains("\n- initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\"\nto request an exception", failure.Value, StringComparison.Ordinal);
        Assert.Contains("rewrite: \"nginx:1.25\" -> \"dhi.io/nginx:1.25\" (ClusterImagePolicy/production)", shop.Element("system-out")!.Value, StringComparison.Ordinal);

        var report = Case(junit, "prod/report");
        Assert.Equal("CronJob", (string?)report.Attribute("classname"));
        Assert.Contains("has scan grade D (minimum B)", (string?)report.Element("failure")!.Attribute("message"), StringComparison.Ordinal);

        Assert.Empty(Case(junit, "prod/web").Elements());
        var scratch = Case(junit, "dev/scratch");
        Assert.Null(scratch.Element("failure"));
        Assert.Equal(
            "warning: container \"tools\": image \"ubuntu:latest\" is not hardened; its hardened twin \"dhi.io/ubuntu:latest\" has disallowed tag \"latest\": pin a version, e.g. \"dhi.io/ubuntu:<version>\" (ClusterImagePolicy/development)\n" +
            "warning: container \"tools\": image \"ubuntu:latest\" has disallowed tag \"latest\" (ClusterImagePolicy/development)",
            scratch.Element("system-out")!.Value);
    }

    [Fact]
    public void Run_AllAllowed_NoFailuresAndExit0()
    {
        var (code, output, error) = Run(null, "-f", Example("prod-good-deployment.yaml"), "--policies", PolicyDir, "--scans", ScanDir, "--output", "junit");

        Assert.True(code == 0, error);
        var junit = XDocument.Parse(output);
        AssertCounts(Suite(junit), tests: 1, failures: 0, skipped: 0);
        Assert.Equal("Deployment", (string?)Case(junit, "prod/web").Attribute("classname"));
    }

    [Fact]
    public void Run_KindThatIsNotEvaluated_IsSkipped()
    {
        const string manifests = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: prod}
            data: {a: b}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: app, namespace: prod}
            spec:
              containers: [{name: web, image: "dhi.io/nginx:1.25"}]
            """;

        var (code, output, error) = Run(manifests, "-f", "-", "--policies", PolicyDir, "--scans", ScanDir, "--output", "junit");

        Assert.True(code == 0, error);
        var junit = XDocument.Parse(output);
        AssertCounts(Suite(junit), tests: 2, failures: 0, skipped: 1);
        var settings = Case(junit, "prod/settings");
        Assert.Equal("ConfigMap", (string?)settings.Attribute("classname"));
        Assert.NotNull(settings.Element("skipped"));
        Assert.Null(Case(junit, "prod/app").Element("skipped"));
        // Standard input is not a file to link to.
        Assert.Null(settings.Attribute("file"));
    }

    [Fact]
    public void Run_ImageWithControlCharacterAndMarkup_IsWellFormedXml()
    {
        var pod = Path.Combine(_temp, "pod.json");
        // U+0001 cannot appear in XML 1.0 even as &#x1;; "]]>" and "&<" must be escaped in text and attributes.
        File.WriteAllText(pod, """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd","namespace":"prod"},
             "spec":{"containers":[{"name":"web]]>","image":"nginx\u0001]]>&<"}]}}
            """);

        var (code, output, error) = Run(null, "-f", pod, "--policies", PolicyDir, "--output", "junit");

        Assert.True(code == 1, error);
        var junit = XDocument.Parse(output);
        AssertCounts(Suite(junit), tests: 1, failures: 1, skipped: 0);
        var failure = Case(junit, "prod/odd").Element("failure")!;
        Assert.StartsWith("container \"web]]>\": image \"nginx\\u0001]]>&<\" cannot be parsed", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.Contains("image \"nginx\\u0001]]>&<\"", failure.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_CharactersXmlCannotHold_AreWrittenAsEscapes()
    {
        // Written as a fact, not a theory: test runners cannot serialize lone surrogates as theory data.
        Assert.Equal("plain", JUnitReport.Clean("plain"));
        Assert.Equal("a\\u0000b\\u0008c\\u000Bd\\u001Fe", JUnitReport.Clean("a\u0000b\u0008c\u000Bd\u001Fe"));
        Assert.Equal("tab\tline\nreturn\r", JUnitReport.Clean("tab\tline\nreturn\r"));
        Assert.Equal("lone \\uD800 surrogate, reversed \\uDC00\\uD800", JUnitReport.Clean("lone \uD800 surrogate, reversed \uDC00\uD800"));
        Assert.Equal("pair \uD83D\uDE00 and \\uFFFE\\uFFFF", JUnitReport.Clean("pair \uD83D\uDE00 and \uFFFE\uFFFF"));
    }
}
