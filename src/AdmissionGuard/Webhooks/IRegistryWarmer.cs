namespace AdmissionGuard.Webhooks;

/// <summary>Asks registries in the background; admission waits only within a budget.</summary>
internal interface IRegistryWarmer
{
    /// <summary>Starts lookups not cached yet and waits for all of them at most <paramref name="budget"/> in total.</summary>
    Task EnsureAllAsync(IEnumerable<string> normalizedReferences, TimeSpan budget, CancellationToken cancellationToken);
}
