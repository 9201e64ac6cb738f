using AdmissionGuard.Registry;

namespace AdmissionGuard.Webhooks;

/// <summary>Asks registries in the background; admission waits only within a budget.</summary>
internal interface IRegistryWarmer
{
    /// <summary>What is known now, as a workload with <paramref name="scope"/>'s credentials would see it. Never does I/O.</summary>
    IRegistryFacts For(PullScope scope);

    /// <summary>Starts lookups not cached yet and waits for all of them at most <paramref name="budget"/> in total.</summary>
    Task<FlightWait> EnsureAllAsync(IEnumerable<string> normalizedReferences, PullScope scope, TimeSpan budget, CancellationToken cancellationToken);
}
