using System.Text;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>
/// The exact lines a developer reads in kubectl (API.md section 2's denial example and section 1's warnings),
/// written out by hand: every front end writes an image's problem through <see cref="MessageFormatter"/>.
/// </summary>
public class MessageFormatterTests
{
    private static readonly ImageSite Web = new(ImageLocation.Container, "web", 0, "nginx:1.25", "/spec/containers/0/image");
    private static readonly ImageSite Setup = new(ImageLocation.InitContainer, "setup", 0, "busybox", "/spec/initContainers/0/image");

    [Theory]
    [InlineData(ImageLocation.Container, "container \"c\"")]
    [InlineData(ImageLocation.InitContainer, "initContainer \"c\"")]
    [InlineData(ImageLocation.EphemeralContainer, "ephemeralContainer \"c\"")]
    [InlineData(ImageLocation.ImageVolume, "volume \"c\"")]
    public void Describe_EachLocation_NamesItsFieldAsKubernetesDoes(ImageLocation location, string expected) =>
        Assert.Equal(expected, new ImageSite(location, "c", 0, "x", "/p").Describe());

    [Fact]
    public void Violation_SiteAndReason_IsTheDenialLine() =>
        Assert.Equal("container \"web\": image \"nginx:1.25\" is not hardened", MessageFormatter.Violation(Web, "is not hardened"));

    [Fact]
    public void Violation_WithPolicy_NamesThePolicyInParentheses() =>
        Assert.Equal("initContainer \"setup\": image \"busybox\" has disallowed tag \"latest\" (ClusterImagePolicy/production)",
            MessageFormatter.Violation(Setup, "has disallowed tag \"latest\"", "ClusterImagePolicy/production"));

    [Fact]
    public void Violation_OfAViolation_NamesItsPolicyAndReason() =>
        Assert.Equal("container \"web\": image \"nginx:1.25\" is not hardened (ImagePolicy/prod/strict)",
            MessageFormatter.Violation(Web, new Violation("ImagePolicy/prod/strict", PolicyMode.Warn, RuleNames.Hardened, "is not hardened")));

    [Fact]
    public void WillBeReplaced_NamesTheTwin() =>
        Assert.Equal("container \"web\": image \"nginx:1.25\" will be replaced by \"dhi.io/nginx:1.25\"", MessageFormatter.WillBeReplaced(Web, "dhi.io/nginx:1.25"));

    [Fact]
    public void InvalidPolicy_IsTheContractWarning() =>
        Assert.Equal("ClusterImagePolicy/broken is invalid and not enforced: spec.mode: bad", MessageFormatter.InvalidPolicy("ClusterImagePolicy/broken", "spec.mode: bad"));

    [Fact]
    public void CannotBeParsed_PrefixesTheParseError() =>
        Assert.Equal("cannot be parsed: digest must be lowercase", MessageFormatter.CannotBeParsed("digest must be lowercase"));

    [Fact]
    public void NamespaceLabelsUnknown_NamesTheNamespace() =>
        Assert.Equal("cannot be checked: the labels of namespace \"team-a\" are not known", MessageFormatter.NamespaceLabelsUnknown("team-a"));

    [Fact]
    public void UseTwin_IsTheHintAfterNotHardened() =>
        Assert.Equal("; use \"dhi.io/nginx:1.25\"", MessageFormatter.UseTwin("dhi.io/nginx:1.25"));

    [Fact]
    public void TwinFails_WithAFix_SaysWhatElseToChange() =>
        Assert.Equal("; its hardened twin \"dhi.io/busybox:latest\" has disallowed tag \"latest\": pin a version",
            MessageFormatter.TwinFails("dhi.io/busybox:latest", "has disallowed tag \"latest\"", "pin a version"));

    [Fact]
    public void TwinFails_WithoutAFix_EndsWithTheReason() =>
        Assert.Equal("; its hardened twin \"dhi.io/app:1\" has scan grade D (minimum B)",
            MessageFormatter.TwinFails("dhi.io/app:1", "has scan grade D (minimum B)", null));

    [Fact]
    public void AppendDenial_OnePolicy_IsTheContractExampleWithTheExceptionHint()
    {
        var message = new StringBuilder();

        MessageFormatter.AppendDenial(message, "ClusterImagePolicy/production",
            [(Web, "is not hardened; use \"dhi.io/nginx:1.25\""), (Setup, "has disallowed tag \"latest\"")],
            ["docker.io/library/nginx:1.25", "docker.io/library/busybox:latest"], "prod");

        Assert.Equal("""
            images denied by ClusterImagePolicy/production:
            - container "web": image "nginx:1.25" is not hardened; use "dhi.io/nginx:1.25"
            - initContainer "setup": image "busybox" has disallowed tag "latest"
            to request an exception, ask for an entry in spec.exceptions of ClusterImagePolicy/production: {images: ["docker.io/library/nginx:1.25", "docker.io/library/busybox:latest"], namespaces: ["prod"], expires: <RFC 3339 time>, reason: <ticket>}
            """.ReplaceLineEndings("\n"), message.ToString());
    }

    [Fact]
    public void AppendDenial_SecondPolicyWithoutExceptionImages_StartsOnANewLineAndOffersNoException()
    {
        var message = new StringBuilder();
        MessageFormatter.AppendDenial(message, "ClusterImagePolicy/a", [(Web, "is not hardened")], ["docker.io/library/nginx:1.25"], "prod");

        // An unparseable image has no pattern an exception could name.
        MessageFormatter.AppendDenial(message, "ImagePolicy/prod/b", [(Setup, "cannot be parsed: bad")], [], "prod");

        Assert.Equal("""
            images denied by ClusterImagePolicy/a:
            - container "web": image "nginx:1.25" is not hardened
            to request an exception, ask for an entry in spec.exceptions of ClusterImagePolicy/a: {images: ["docker.io/library/nginx:1.25"], namespaces: ["prod"], expires: <RFC 3339 time>, reason: <ticket>}
            images denied by ImagePolicy/prod/b:
            - initContainer "setup": image "busybox" cannot be parsed: bad
            """.ReplaceLineEndings("\n"), message.ToString());
    }
}
