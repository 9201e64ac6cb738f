namespace AdmissionGuard.Registry;

/// <summary>Asks a registry about one manifest. The seam between the fact cache and the network.</summary>
internal interface IManifestResolver
{
    /// <summary>
    /// Never throws for registry or network trouble: that is an Unreachable result. <paramref name="credential"/> is a
    /// workload's pull secret; null means the configured docker config (or anonymous).
    /// </summary>
    Task<RegistryLookupResult> ResolveAsync(ManifestReference reference, RegistryCredential? credential, CancellationToken cancellationToken);
}
