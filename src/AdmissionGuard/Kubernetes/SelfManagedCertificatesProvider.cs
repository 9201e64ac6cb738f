using AdmissionGuard.Hosting;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Every replica's side of self-managed certificates: watches the one named Secret and serves whatever
/// serving pair it holds, swapped whole (a volatile write) so each new handshake takes the newest.
/// Until the first usable Secret arrives it serves a throwaway self-signed certificate, so the kubelet's
/// probe (which does not verify) still gets an answer and sees <c>/readyz</c> false; see <see cref="FirstCertificate"/>.
/// </summary>
internal sealed class SelfManagedCertificatesProvider : SupervisedService, ICertificateProvider
{
    private readonly ResourceWatcher<SelfManagedCertificatesSecret> watcher;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly TaskCompletionSource first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ServingCertificate current;
    private string? loadedPem;

    public SelfManagedCertificatesProvider(KubeApi api, SelfManagedCertificatesOptions options, TimeProvider time, ILogger<SelfManagedCertificatesProvider> logger, WatcherOptions? watch = null,
        ServiceHealth? health = null, IHostApplicationLifetime? lifetime = null)
        : base("certificate Secret watch", time, logger, health, lifetime)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.logger = logger;
        current = ServingCertificate.From(Placeholder());
        watcher = new ResourceWatcher<SelfManagedCertificatesSecret>(
            api, ResourcePath.Secrets, SelfManagedCertificatesSecret.Decode, time, logger, watch, inNamespace: options.Namespace, name: options.SecretName);
        watcher.Changed += OnChanged;
    }

    /// <summary>Raised after the watched Secret changed (the leader reconciles on it).</summary>
    public event Action? SecretChanged;

    public X509Certificate2 Current => current.Certificate;

    public System.Net.Security.SslStreamCertificateContext CurrentContext => current.Context;

    /// <summary>Completes when a certificate from the Secret is being served; readiness should wait for it.</summary>
    public Task FirstCertificate => first.Task;

    public bool HasCertificate => first.Task.IsCompleted;

    protected override Task RunAsync(CancellationToken stoppingToken) => watcher.RunAsync(stoppingToken);

    private void OnChanged()
    {
        var secret = watcher.Items.FirstOrDefault()?.Value;
        if (secret is null)
        {
            // Deleted (or not created yet): the certificate in hand stays valid until the leader writes a new one.
            SecretChanged?.Invoke();
            return;
        }

        lock (gate)
        {
            var pem = secret.TlsCrt + secret.TlsKey;
            if (pem != loadedPem)
            {
                loadedPem = pem;
                if (secret.Serving() is { } serving)
                {
                    // The old certificate is not disposed: a handshake that already picked it may still use it.
                    current = ServingCertificate.From(serving);
                    first.TrySetResult();
                    logger.LogInformation("Serving certificate {Thumbprint} from Secret (expires {NotAfter:O})", serving.Thumbprint, serving.NotAfter.ToUniversalTime());
                }
                else if (secret.TlsCrt is not null)
                {
                    logger.LogWarning("The certificate Secret holds no usable tls.crt/tls.key; keeping certificate {Thumbprint}", current.Certificate.Thumbprint);
                }
            }
        }

        SecretChanged?.Invoke();
    }

    private static X509Certificate2 Placeholder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=admissionguard-waiting-for-certificate-secret", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return CertificatePemFiles.ReimportWithPersistedKey(certificate);
    }
}
