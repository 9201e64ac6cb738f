using AdmissionGuard.Evaluation.Rules.Signatures;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>The presets in manifests/examples/signatures compile, and the DHI preset carries the key Docker publishes.</summary>
public sealed class SignaturePresetTests
{
    private static PolicySnapshot Compile(string file)
    {
        var set = new ManifestSet();
        set.AddText(File.ReadAllText(Path.Combine(RepoPaths.Examples, "signatures", file)), file);
        Assert.Empty(set.Errors);
        return PolicyCompiler.Compile(set.Sources, set.Policies);
    }

    [Theory]
    [InlineData("docker-hardened-images.yaml")]
    [InlineData("own-registry-cosign.yaml")]
    public void Compile_Preset_HasNoErrors(string file)
    {
        var snapshot = Compile(file);

        Assert.Empty(snapshot.Errors);
        Assert.Equal(1, snapshot.PolicyCount);
    }

    [Fact]
    public void DockerHardenedImagesPreset_KeyIsDhi2FromDockersKeyring()
    {
        var snapshot = Compile("docker-hardened-images.yaml");
        var rule = Assert.Single(snapshot.Policies.Single().Rules.OfType<SignatureRule>());
        var key = Assert.Single(rule.Requirement.Keys).Key!;

        // SHA-256 of dhi-2.pub's DER, computed by hand with openssl from the keyring file (see the preset's comment).
        Assert.Equal("118ba556dd52f4aec67018efd316c285c783cd3e54cc0f4527605715c643887c", key.Fingerprint);
        Assert.Equal("ecdsa-p256", key.Algorithm);
    }
}
