namespace AdmissionGuard.Webhooks;

/// <summary>Asks registries in the background; admission waits only within a budget.</summary>
internal interface IRegistryWarmer
{
    /// <summary>Starts lookups not cached yet and waits for them at most <paramref name="budget"/>.</summary>
    Task EnsureAsync(IReadOnlyList<string> references, TimeSpan budget, CancellationToken cancellationToken);
}
