using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells how many timers of a given due time were created, so a test can wait
/// until a loop is parked in its <c>Task.Delay(period, time)</c> and only then move the clock: each step is one
/// iteration, with no wall-clock sleep and no race between the advance and the timer it should fire.
/// </summary>
internal sealed class SteppedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Dictionary<TimeSpan, int> created = [];
    private readonly object gate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TaskCompletionSource signal;
        lock (gate)
        {
            created[dueTime] = created.GetValueOrDefault(dueTime) + 1;
            signal = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.SetResult();
        return timer;
    }

    /// <summary>Waits (by signal, not by polling) until <paramref name="count"/> timers due after <paramref name="dueTime"/> exist.</summary>
    public async Task WaitForTimersAsync(TimeSpan dueTime, int count, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (created.GetValueOrDefault(dueTime) >= count)
                {
                    return;
                }

                next = changed.Task;
            }

            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting for: {what} ({count} timers of {dueTime})");
            }
        }
    }

    public int TimersOf(TimeSpan dueTime)
    {
        lock (gate)
        {
            return created.GetValueOrDefault(dueTime);
        }
    }
}
