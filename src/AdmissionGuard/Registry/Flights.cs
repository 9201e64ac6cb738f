namespace AdmissionGuard.Registry;

/// <summary>How admission waits for background lookups: all of them, at most a budget in total, never failing on the budget.</summary>
internal static class Flights
{
    public static async Task WaitWithinAsync<T>(List<Task<T>> flights, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        if (flights.Count == 0 || budget <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.WhenAll(flights).WaitAsync(budget, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The budget is spent; the lookups finish in the background and the next admission sees them.
        }
    }
}
