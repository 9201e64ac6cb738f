namespace AdmissionGuard.Registry;

/// <summary>How admission waits for background lookups: all of them, at most a budget in total, never failing on the budget.</summary>
internal static class Flights
{
    /// <summary>
    /// Waits for every flight, at most <paramref name="budget"/>; the outcome says which came first. A race with a timer
    /// rather than <c>WaitAsync(budget)</c>: running out of budget is the expected case on a cache miss, not an error,
    /// so it is a value and never a TimeoutException.
    /// </summary>
    public static async Task<FlightWait> WaitWithinAsync<T>(IReadOnlyList<Task<T>> flights, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        if (flights.Count == 0)
        {
            return FlightWait.Landed;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return FlightWait.Canceled;
        }

        if (budget <= TimeSpan.Zero)
        {
            return FlightWait.BudgetSpent;
        }

        Task all = flights.Count == 1 ? flights[0] : Task.WhenAll(flights);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var budgetSpent = Task.Delay(budget, time, timer.Token);
        var first = await Task.WhenAny(all, budgetSpent).ConfigureAwait(false);
        if (first == all)
        {
            // Stops the timer; a flight that faulted surfaces here, as it did before.
            await timer.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
            return FlightWait.Landed;
        }

        return cancellationToken.IsCancellationRequested ? FlightWait.Canceled : FlightWait.BudgetSpent;
    }

    /// <summary>One flight's answer within <paramref name="budget"/>, or <paramref name="otherwise"/> when the budget runs out first.</summary>
    public static async Task<T> ResultWithinAsync<T>(Task<T> flight, T otherwise, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = await WaitWithinAsync([flight], budget, time, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return wait == FlightWait.Landed ? await flight.ConfigureAwait(false) : otherwise;
    }
}
