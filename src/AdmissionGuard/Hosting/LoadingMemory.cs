namespace AdmissionGuard.Hosting;

/// <summary>
/// Starting and reading a large scans folder leave garbage that an idle server keeps committed: nothing else triggers
/// a collection until requests come. One compacting, decommitting collection hands it back to the system: once the
/// server has listened for a second, and after a load of many scans (at the start as on a reload). Measured on the native AOT build with
/// the benchmark policies: idle memory 46.7 -> 44.5 MiB when collected once listening; collected at the end of a small
/// load instead (before the host and TLS start), no gain, so a load below <see cref="ManyScans"/> does not collect.
/// </summary>
internal static class LoadingMemory
{
    private const int ManyScans = 10_000;
    private static readonly TimeSpan AfterStart = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A second after the server listens, in the background: the host, TLS and the first load are done allocating by
    /// then, and the collection, which stops every thread, no longer holds up the first handshake and readiness probe.
    /// </summary>
    public static void ReturnAfterStart() => _ = Task.Delay(AfterStart).ContinueWith(_ => Collect(), TaskScheduler.Default);

    /// <summary>After a load that read <paramref name="scans"/> scans: collects when they were many.</summary>
    public static void ReturnAfter(int scans)
    {
        if (scans >= ManyScans)
        {
            Collect();
        }
    }

    private static void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
