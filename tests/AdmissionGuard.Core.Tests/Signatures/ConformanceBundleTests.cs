using System.Security.Cryptography;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// The key-based cases of sigstore-conformance (see Conformance/PROVENANCE.md): a Sigstore bundle's message signature over
/// <c>a.txt</c>, verified with the case's <c>key.pub</c>. <c>a.txt</c> stands where an image manifest would.
/// </summary>
public class ConformanceBundleTests
{
    private static string Case(string name, string file) => Path.Combine(AppContext.BaseDirectory, "Signatures", "Conformance", name, file);

    private static byte[] Artifact => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Signatures", "Conformance", "a.txt"));

    private static string ArtifactDigest => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Artifact));

    private static SignatureFact Verify(string name, string digest, bool requireTlog = false)
    {
        Assert.True(VerificationKey.TryParse(File.ReadAllText(Case(name, "key.pub")), out var key, out var error), error);
        var material = new SignatureMaterial(Artifact, [], [], [File.ReadAllBytes(Case(name, "bundle.sigstore.json"))], []);
        return SignatureVerifier.Verify(material, digest, [new NamedKey("conformance", key)], requireTlog);
    }

    [Theory]
    [InlineData("managed-key-happy-path")]
    [InlineData("managed-key-and-trusted-root")]
    public void Verify_ConformanceHappyPath_IsVerifiedByTheKey(string name)
    {
        var fact = Verify(name, ArtifactDigest);

        Assert.Equal(SignatureState.Verified, fact.State);
        Assert.Equal("conformance", fact.KeyName);
    }

    [Fact]
    public void Verify_ConformanceHappyPathWithTransparencyLogRequired_FindsItsHashedRekordEntry() =>
        Assert.Equal(SignatureState.Verified, Verify("managed-key-happy-path", ArtifactDigest, requireTlog: true).State);

    [Fact]
    public void TryParse_ConformanceWrongKey_IsNotAKeyAtAll()
    {
        // Upstream's wrong key is a damaged PEM: a policy holding it does not compile, so it can never verify anything.
        Assert.False(VerificationKey.TryParse(File.ReadAllText(Case("managed-key-wrong-key_fail", "key.pub")), out _, out var error));
        Assert.Contains("not a", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ConformanceBundleUnderAnotherKey_IsInvalid()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(VerificationKey.TryParse(other.ExportSubjectPublicKeyInfoPem(), out var key, out _));
        var material = new SignatureMaterial(Artifact, [], [], [File.ReadAllBytes(Case("managed-key-happy-path", "bundle.sigstore.json"))], []);

        var fact = SignatureVerifier.Verify(material, ArtifactDigest, [new NamedKey("other", key)], false);

        Assert.Equal(SignatureState.Invalid, fact.State);
        Assert.Contains("verifies under none of the keys", fact.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ConformanceBundleForAnotherDigest_IsInvalid()
    {
        var other = "sha256:" + new string('0', 64);

        var fact = Verify("managed-key-happy-path", other);

        Assert.Equal(SignatureState.Invalid, fact.State);
        Assert.Contains("names another digest", fact.Diagnostics, StringComparison.Ordinal);
    }
}
