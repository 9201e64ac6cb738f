namespace AdmissionGuard.Tests.Registry;

/// <summary>One set of registry processes for all registry tests; the collection also runs them one class at a time (2 shared cores).</summary>
[CollectionDefinition(Name)]
public sealed class RegistryTestGroup : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
