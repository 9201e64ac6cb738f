namespace AdmissionGuard.Hosting;

/// <summary>
/// Reading a large scans folder leaves garbage that an idle server keeps committed: nothing else triggers a collection
/// until requests come. One compacting, decommitting collection hands it back to the system, at the start as on a
/// reload. Below <see cref="ManyScans"/> the garbage is small and the collection not worth its CPU (a collection after
/// every start was measured: no less idle memory, a little more CPU time to ready).
/// </summary>
internal static class LoadingMemory
{
    private const int ManyScans = 10_000;

    /// <summary>After a load that read <paramref name="scans"/> scans: collects when they were many.</summary>
    public static void ReturnAfter(int scans)
    {
        if (scans >= ManyScans)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }
}
