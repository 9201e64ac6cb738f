namespace AdmissionGuard.Certificates;

/// <summary>The serving certificate source for <c>serve</c>: reloading PEM files, or a self-signed localhost CA.</summary>
internal sealed class ServingCertificates : IDisposable
{
    private readonly IDisposable? owned;

    private ServingCertificates(ICertificateProvider provider, IDisposable? owned, string? caPath)
    {
        Provider = provider;
        this.owned = owned;
        CaPath = caPath;
    }

    public ICertificateProvider Provider { get; }

    /// <summary>Where the self-signed CA was written, for clients to trust.</summary>
    public string? CaPath { get; }

    public static ServingCertificates FromFiles(string certificatePath, string keyPath, ILogger<CertificateReloader> logger)
    {
        var reloader = new CertificateReloader(certificatePath, keyPath, logger, TimeProvider.System);
        return new ServingCertificates(reloader, reloader, null);
    }

    public static ServingCertificates SelfSigned(string caDirectory)
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        var serving = ca.IssueServingCertificate();
        Directory.CreateDirectory(caDirectory);
        var caPath = ca.WriteCaCertificate(caDirectory);
        return new ServingCertificates(new FixedCertificateProvider(serving), serving, caPath);
    }

    public void Dispose() => owned?.Dispose();
}
