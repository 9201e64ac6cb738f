using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
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
        var certificate = new AwaitedCertificate();
        var readiness = new Readiness(certificate);

        Assert.False(readiness.IsReady(Loaded));
        Assert.Equal("waiting for the certificate Secret", readiness.Reason(Loaded));

        certificate.HasCertificate = true;
        Assert.True(readiness.IsReady(Loaded));
    }

    [Fact]
    public void IsReady_Draining_NotReadyWhateverElse()
    {
        var readiness = new Readiness(new AwaitedCertificate { HasCertificate = true });
        readiness.BeginDrain();

        Assert.False(readiness.IsReady(Loaded));
        Assert.Equal("shutting down", readiness.Reason(Loaded));
    }

    /// <summary>A provider that, like self-managed mode's, may not have its certificate yet; only readiness reads it.</summary>
    private sealed class AwaitedCertificate : ICertificateProvider
    {
        public bool HasCertificate { get; set; }

        public X509Certificate2 Current => throw new NotSupportedException();

        public System.Net.Security.SslStreamCertificateContext CurrentContext => throw new NotSupportedException();
    }
}
