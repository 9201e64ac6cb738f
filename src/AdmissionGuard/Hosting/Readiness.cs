namespace AdmissionGuard.Hosting;

/// <summary>Ready once policies are loaded, and no longer once shutdown has begun.</summary>
internal sealed class Readiness
{
    private volatile bool draining;

    public bool Draining => draining;

    public void BeginDrain() => draining = true;

    public bool IsReady(AdmissionState state) => state.Loaded && !draining;

    public string Reason(AdmissionState state) => draining ? "shutting down" : !state.Loaded ? "policies not loaded yet" : "ready";
}
