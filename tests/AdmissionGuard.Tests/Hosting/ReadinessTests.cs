using AdmissionGuard.Hosting;

namespace AdmissionGuard.Tests.Hosting;

public class ReadinessTests
{
    private static readonly AdmissionState Loaded = AdmissionState.NotLoaded with { Loaded = true };

    [Fact]
    public void IsReady_LoadedWithoutCertificateCheck_Ready()
    {
        var readiness = new Readiness();

        Assert.False(readiness.IsReady(AdmissionState.NotLoaded));
        Assert.Equal("policies not loaded yet", readiness.Reason(AdmissionState.NotLoaded));
        Assert.True(readiness.IsReady(Loaded));
    }

    [Fact]
    public void IsReady_SelfManagedCertificateNotYetThere_NotReadyUntilItArrives()
    {
        var hasCertificate = false;
        var readiness = new Readiness(() => hasCertificate);

        Assert.False(readiness.IsReady(Loaded));
        Assert.Equal("waiting for the certificate Secret", readiness.Reason(Loaded));

        hasCertificate = true;
        Assert.True(readiness.IsReady(Loaded));
    }

    [Fact]
    public void IsReady_Draining_NotReadyWhateverElse()
    {
        var readiness = new Readiness(() => true);
        readiness.BeginDrain();

        Assert.False(readiness.IsReady(Loaded));
        Assert.Equal("shutting down", readiness.Reason(Loaded));
    }
}
