using System.Text;
using AdmissionGuard.Images;
using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

public class DigestsTests
{
    // FIPS 180-2 test vectors for "abc".
    private const string AbcSha256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string AbcSha512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    [Theory]
    [InlineData(Sha256)]
    [InlineData(Sha512)]
    [InlineData(AbcSha256)]
    [InlineData(AbcSha512)]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256:9999999999999999999999999999999999999999999999999999999999999999")]
    [InlineData("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void IsValid_LowercaseSha256OrSha512_IsTrue(string digest) => Assert.True(Digests.IsValid(digest));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData("sha512:")]
    [InlineData(Sha256Hex)]
    [InlineData("sha256-" + Sha256Hex)]
    [InlineData("SHA256:" + Sha256Hex)]
    [InlineData("sha384:" + Sha256Hex)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:" + Sha512Hex)]                   // the other algorithm's length
    [InlineData("sha512:" + Sha256Hex)]
    [InlineData("sha256:" + Sha256Hex + "0")]
    [InlineData("sha512:" + Sha512Hex + "0")]
    [InlineData("sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b7")]
    [InlineData("sha256:1E19569FEA08C6DE312A4862D532EB7007B3098B4110EEAA22F34333358F0B78")]
    [InlineData("sha256:/e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78")]   // the characters just outside 0-9 and a-f
    [InlineData("sha256::e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78")]
    [InlineData("sha256:`e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78")]
    [InlineData("sha256:ge19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78")]
    [InlineData("sha512:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b780123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    [InlineData(" sha256:" + Sha256Hex)]
    public void IsValid_AnythingElse_IsFalse(string? digest) => Assert.False(Digests.IsValid(digest));

    [Theory]
    [InlineData(Sha256, "sha256-1e19569fea08c6de312a4862d532eb7007b3098b")]   // API.md's ImageScan example
    [InlineData(Sha512, "sha512-1e19569fea08c6de312a4862d532eb7007b3098b")]
    public void ObjectName_IsAlgorithmDashFirst40Hex(string digest, string name) => Assert.Equal(name, Digests.ObjectName(digest));

    [Theory]
    [InlineData(null, AbcSha256)]
    [InlineData(Sha256, AbcSha256)]
    [InlineData(Sha512, AbcSha512)]
    [InlineData("sha512", AbcSha256)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", AbcSha256)]
    public void Compute_UsesTheAlgorithmOfTheGivenDigest(string? like, string expected)
    {
        Assert.Equal(expected, Digests.Compute(Encoding.ASCII.GetBytes("abc"), like));
    }

    [Fact]
    public void Compute_EmptyBody_IsTheEmptyHash()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digests.Compute([], null));
    }
}
