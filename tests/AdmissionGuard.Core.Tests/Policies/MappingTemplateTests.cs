using AdmissionGuard.Policies;
using AdmissionGuard.Tests.Images;

namespace AdmissionGuard.Tests.Policies;

/// <summary>A mapping's <c>to</c> (docs/reference.md: <c>{registry}</c>, <c>{repository}</c>, <c>{path}</c>, <c>{name}</c>, <c>{tag}</c>; no digest carried over).</summary>
public class MappingTemplateTests
{
    private static MappingTemplate Template(string text)
    {
        var template = MappingTemplate.Compile(text, out var error);
        Assert.Null(error);
        Assert.NotNull(template);
        Assert.Equal(text, template.Text);
        return template;
    }

    [Theory]
    [InlineData("dhi.io/{name}:{tag}", "nginx:1.25", "dhi.io/nginx:1.25")]
    [InlineData("dhi.io/{name}:{tag}", "nginx", "dhi.io/nginx:latest")]
    [InlineData("{repository}:{tag}-hardened", "quay.io/team/app:2.1", "quay.io/team/app:2.1-hardened")]
    [InlineData("registry.example.com/mirror/{path}:{tag}", "quay.io/team/app:2.1", "registry.example.com/mirror/team/app:2.1")]
    [InlineData("{registry}/dhi-{name}:{tag}", "registry.example.com:5000/team/app:3", "registry.example.com:5000/dhi-app:3")]
    [InlineData("cgr.dev/chainguard/{name}", "docker.io/library/redis:7", "cgr.dev/chainguard/redis")]
    [InlineData("dhi.io/static:1", "busybox:1.36", "dhi.io/static:1")]
    [InlineData("a{name}b{tag}c", "nginx:1", "anginxb1c")]
    public void Expand_Template_FillsEachVariable(string template, string image, string expected) =>
        Assert.Equal(expected, Template(template).Expand(TestImages.Parse(image)));

    [Fact]
    public void Expand_DigestOnly_HasNoTwin_ButTheRepositoryStillExpands()
    {
        var template = Template("dhi.io/{name}:{tag}");
        var image = TestImages.Parse("nginx@" + TestImages.Sha256);

        Assert.Null(template.Expand(image));
        Assert.Equal("dhi.io/nginx:latest", template.ExpandAlways(image));
    }

    [Fact]
    public void Expand_TagAndDigest_UsesTheTagAndDropsTheDigest() =>
        Assert.Equal("dhi.io/nginx:1.25", Template("dhi.io/{name}:{tag}").Expand(TestImages.Parse("nginx:1.25@" + TestImages.Sha256)));

    [Fact]
    public void Uses_NamesOnlyTheVariablesInTheTemplate()
    {
        var template = Template("dhi.io/{name}:{tag}");

        Assert.True(template.Uses("name"));
        Assert.True(template.Uses("tag"));
        Assert.False(template.Uses("path"));
        Assert.False(Template("dhi.io/static:1").Uses("tag"));
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("dhi.io/{image}:{tag}", "unknown variable {image}; use {registry}, {repository}, {path}, {name} or {tag}")]
    [InlineData("dhi.io/{Name}", "unknown variable {Name}; use {registry}, {repository}, {path}, {name} or {tag}")]
    [InlineData("dhi.io/{}", "unknown variable {}; use {registry}, {repository}, {path}, {name} or {tag}")]
    [InlineData("dhi.io/{name", "unclosed \"{\" at position 7")]
    [InlineData("dhi.io/{name}:{tag", "unclosed \"{\" at position 14")]
    [InlineData("dhi.io/name}", "unmatched \"}\" at position 11")]
    [InlineData("dhi.io/{name}}", "unmatched \"}\" at position 13")]
    [InlineData("}dhi.io/{name}", "unmatched \"}\" at position 0")]
    [InlineData("dhi.io/{name}:{tag}-x}", "unmatched \"}\" at position 21")]
    public void Compile_BadTemplate_FailsWithReason(string? text, string expected)
    {
        Assert.Null(MappingTemplate.Compile(text, out var error));
        Assert.Equal(expected, error);
    }
}
