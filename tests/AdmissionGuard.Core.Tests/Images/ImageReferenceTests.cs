using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("nginx", "docker.io/library/nginx:latest")]          // API.md: no tag or digest is :latest for scan lookup
    [InlineData("nginx:latest", "docker.io/library/nginx:latest")]
    [InlineData("nginx:1.25", "docker.io/library/nginx:1.25")]
    [InlineData("nginx@" + Sha256, "docker.io/library/nginx@" + Sha256)]
    [InlineData("nginx:1.25@" + Sha256, "docker.io/library/nginx:1.25@" + Sha256)]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app:latest")]
    public void NormalizedWithTag_WritesOutTheImplicitLatest(string image, string expected)
    {
        var reference = Parse(image);
        Assert.Equal(expected, reference.NormalizedWithTag);
        Assert.Equal(expected, reference.NormalizedWithTag);
    }

    [Theory]
    [InlineData("nginx", "docker.io/library/nginx", "nginx")]
    [InlineData("nginx:1.25@" + Sha256, "docker.io/library/nginx:1.25@" + Sha256, "nginx")]
    [InlineData("ghcr.io/org/team/app:v2", "ghcr.io/org/team/app:v2", "app")]
    [InlineData("registry.example.com/app", "registry.example.com/app", "app")]
    public void Reference_ToStringAndName(string image, string normalized, string name)
    {
        var reference = Parse(image);
        Assert.Equal(normalized, reference.ToString());
        Assert.Equal(normalized, reference.Normalized);
        Assert.Equal(name, reference.Name);
    }

    [Theory]
    [InlineData("nginx@" + Sha256, null, Sha256, false)]
    [InlineData("nginx:1", "1", null, false)]
    [InlineData("nginx", null, null, true)]
    public void Reference_DigestOnlyHasNoTagAndIsNotImplicitLatest(string image, string? tag, string? digest, bool implicitLatest)
    {
        var reference = Parse(image);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(implicitLatest, reference.IsImplicitLatest);
    }

    // Most references in a cluster are written in their normalized form; the reference then keeps the text it was
    // given instead of building a copy. Written any other way, the normalized text is built and differs.
    [Theory]
    [InlineData("docker.io/library/nginx")]
    [InlineData("docker.io/library/nginx:1.25")]
    [InlineData("docker.io/library/nginx@" + Sha256)]
    [InlineData("docker.io/library/nginx:1.25@" + Sha256)]
    [InlineData("localhost:5000/team/app:v1")]
    [InlineData("ghcr.io/org/team/app:v2-rc.1")]
    public void Normalized_WrittenInNormalForm_IsTheTextGiven(string image)
    {
        var written = new string(image.AsSpan()); // its own instance, not the interned literal
        var reference = Parse(written);
        // The text the reference was parsed from (this one, or an equal one parsed earlier: parses are remembered),
        // not a copy built from the parts.
        Assert.Same(reference.Written, reference.Normalized);
        Assert.Equal(image, reference.Normalized);
    }

    [Theory]
    [InlineData("nginx", "docker.io/library/nginx")]
    [InlineData("nginx:1.25", "docker.io/library/nginx:1.25")]
    [InlineData("library/nginx@" + Sha256, "docker.io/library/nginx@" + Sha256)]
    [InlineData("index.docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25")]
    [InlineData("Docker.IO/library/nginx:1.25", "docker.io/library/nginx:1.25")]
    [InlineData("GHCR.io/org/app:v2@" + Sha256, "ghcr.io/org/app:v2@" + Sha256)]
    public void Normalized_WrittenOtherwise_IsTheNormalizedForm(string image, string normalized)
    {
        var reference = Parse(image);
        Assert.Equal(normalized, reference.Normalized);
        Assert.NotEqual(image, reference.Normalized);
    }
}
