namespace AdmissionGuard.Tests.Signatures;

/// <summary>One signed registry for the signature tests.</summary>
[CollectionDefinition(Name)]
public sealed class SignatureTestGroup : ICollectionFixture<SignedRegistryFixture>
{
    public const string Name = "signatures";
}
