namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>Waits for a condition with a generous timeout: the machines are shared, so no test asserts a duration.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds}s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
