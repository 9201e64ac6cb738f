using System.Security.Cryptography;
using System.Text;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Tests.Signatures;

public class VerificationKeyTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("payload");

    [Fact]
    public void Verify_EcdsaP256DerSignature_Verifies()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(VerificationKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out var key, out _));

        Assert.Equal("ecdsa-p256", key.Algorithm);
        Assert.True(key.Verify(Data, ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        Assert.False(key.Verify("other"u8, ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Verify_EcdsaP384_UsesSha384()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.True(VerificationKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out var key, out _));

        Assert.True(key.Verify(Data, ecdsa.SignData(Data, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence)));
        Assert.False(key.Verify(Data, ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Verify_RsaPkcs1AndPss_BothVerify()
    {
        using var rsa = RSA.Create(2048);
        Assert.True(VerificationKey.TryParse(rsa.ExportSubjectPublicKeyInfoPem(), out var key, out _));

        Assert.True(key.Verify(Data, rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        Assert.True(key.Verify(Data, rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)));
        Assert.False(key.Verify(Data, rsa.SignData("x"u8.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pss)));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "not a PUBLIC KEY")]
    [InlineData("not pem at all", "is not a PEM public key")]
    public void TryParse_NotAPublicKey_SaysWhy(string pem, string expected)
    {
        Assert.False(VerificationKey.TryParse(pem, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_SmallRsaKey_IsRefused()
    {
        using var rsa = RSA.Create(1024);
        Assert.False(VerificationKey.TryParse(rsa.ExportSubjectPublicKeyInfoPem(), out _, out var error));
        Assert.Contains("1024 bits", error, StringComparison.Ordinal);
    }
}
