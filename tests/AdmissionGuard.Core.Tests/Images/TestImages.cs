using AdmissionGuard.Images;

namespace AdmissionGuard.Tests.Images;

internal static class TestImages
{
    public const string Sha256Hex = "1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78";
    public const string Sha512Hex = Sha256Hex + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public const string Sha256 = "sha256:" + Sha256Hex;
    public const string Sha512 = "sha512:" + Sha512Hex;

    public static ImageReference Parse(string image)
    {
        Assert.True(ImageReferenceParser.TryParse(image, out var reference, out var error), $"{image}: {error}");
        return reference;
    }
}
