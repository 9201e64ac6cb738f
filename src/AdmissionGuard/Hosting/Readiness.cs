using AdmissionGuard.Certificates;

namespace AdmissionGuard.Hosting;

/// <summary>
/// Ready once policies are loaded and a serving certificate is in hand (self-managed mode), and no longer
/// once shutdown has begun.
/// </summary>
internal sealed class Readiness(ICertificateProvider? certificates = null)
{
    private volatile bool draining;

    public void BeginDrain() => draining = true;

    public bool IsReady(AdmissionState state) => state.Loaded && !draining && (certificates?.HasCertificate ?? true);

    public string Reason(AdmissionState state) =>
        draining ? "shutting down"
        : !state.Loaded ? "policies not loaded yet"
        : certificates is { HasCertificate: false } ? "waiting for the certificate Secret"
        : "ready";
}
