using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AdmissionGuard.Certificates;

/// <summary>
/// Serves the certificate from PEM files and follows them when they change (cert-manager renewals,
/// Kubernetes Secret updates), without a restart and without failing a handshake.
/// </summary>
/// <remarks>
/// Kubernetes updates a Secret volume by writing a new timestamped directory and swapping the <c>..data</c>
/// symlink, so the file paths never see a write event of their own: the containing directory is watched.
/// A new pair is loaded completely before it is published; a pair that does not load (half-written,
/// garbage, or a key that belongs to another certificate) leaves the old certificate in place.
/// </remarks>
internal sealed class CertificateReloader : ICertificateProvider, IDisposable
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly ILogger<CertificateReloader> _logger;
    private readonly TimeProvider _time;
    private readonly CertificateReloaderOptions _options;
    private readonly Lock _reloadGate = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _debounceTimer;
    private readonly ITimer _pollTimer;

    private volatile ServingCertificate _current;
    // Hash of the file contents last tried, good or bad: an unchanged pair is neither re-parsed nor re-logged.
    private byte[] _lastAttemptHash;
    private bool _disposed;

    /// <summary>Loads the pair now (throws if it cannot: there is nothing older to fall back to) and starts watching.</summary>
    public CertificateReloader(
        string certificatePath,
        string keyPath,
        ILogger<CertificateReloader> logger,
        TimeProvider time,
        CertificateReloaderOptions? options = null)
    {
        _certificatePath = Path.GetFullPath(certificatePath);
        _keyPath = Path.GetFullPath(keyPath);
        _logger = logger;
        _time = time;
        _options = options ?? new CertificateReloaderOptions();

        (string certificatePem, string keyPem, _lastAttemptHash) = ReadPair();
        _current = ServingCertificate.FromPem(certificatePem, keyPem);
        WarnIfNotCurrentlyValid(_current.Certificate);

        _debounceTimer = _time.CreateTimer(_ => TryReload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pollTimer = _time.CreateTimer(_ => TryReload(), null, _options.PollInterval, _options.PollInterval);
        if (_options.WatchFileSystem)
        {
            foreach (string directory in new[] { Path.GetDirectoryName(_certificatePath)!, Path.GetDirectoryName(_keyPath)! }.Distinct())
            {
                _watchers.Add(Watch(directory));
            }
        }
    }

    public X509Certificate2 Current => _current.Certificate;

    public System.Net.Security.SslStreamCertificateContext CurrentContext => _current.Context;

    /// <summary>Raised after a new certificate has been published.</summary>
    public event Action<X509Certificate2>? Reloaded;

    /// <summary>
    /// Re-reads the files and publishes the pair if it changed and loads. Returns true when a new
    /// certificate was published. Safe to call from any thread; calls are serialized.
    /// </summary>
    public bool TryReload()
    {
        ServingCertificate loaded;
        lock (_reloadGate)
        {
            if (_disposed)
            {
                return false;
            }

            string certificatePem, keyPem;
            byte[] hash;
            try
            {
                (certificatePem, keyPem, hash) = ReadPair();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Between unlink and rename, or a volume being remounted: the next event or poll retries.
                _logger.LogWarning(ex, "Could not read TLS certificate files {CertificatePath} and {KeyPath}; keeping the current certificate", _certificatePath, _keyPath);
                return false;
            }

            if (CryptographicOperations.FixedTimeEquals(hash, _lastAttemptHash))
            {
                return false;
            }

            _lastAttemptHash = hash;
            try
            {
                loaded = ServingCertificate.FromPem(certificatePem, keyPem);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                _logger.LogError(ex, "TLS certificate files {CertificatePath} and {KeyPath} do not hold a usable certificate and key; keeping certificate {Thumbprint}", _certificatePath, _keyPath, _current.Certificate.Thumbprint);
                return false;
            }

            // The old certificate is not disposed: a handshake that already picked it may still be using it.
            // Rotations are rare, so leaving it to the finalizer costs nothing.
            _current = loaded;
        }

        var certificate = loaded.Certificate;
        _logger.LogInformation("Loaded TLS certificate {Subject} (thumbprint {Thumbprint}, expires {NotAfter:O}) with {Intermediates} intermediate certificate(s)",
            certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime(), loaded.IntermediateCount);
        WarnIfNotCurrentlyValid(certificate);
        Reloaded?.Invoke(certificate);
        return true;
    }

    public void Dispose()
    {
        lock (_reloadGate)
        {
            _disposed = true;
        }

        foreach (FileSystemWatcher watcher in _watchers)
        {
            watcher.Dispose();
        }

        _debounceTimer.Dispose();
        _pollTimer.Dispose();
    }

    private (string CertificatePem, string KeyPem, byte[] Hash) ReadPair()
    {
        // File.ReadAllText follows the ..data symlink, so both files come from the same published directory
        // unless a swap lands between the two reads; the hash check then sees a change and the next event retries.
        string certificatePem = File.ReadAllText(_certificatePath);
        string keyPem = File.ReadAllText(_keyPath);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(certificatePem + "\0" + keyPem));
        return (certificatePem, keyPem, hash);
    }

    private FileSystemWatcher Watch(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnFileEvent;
        watcher.Created += OnFileEvent;
        watcher.Deleted += OnFileEvent;
        watcher.Renamed += OnFileEvent;
        watcher.Error += (_, e) =>
            _logger.LogWarning(e.GetException(), "Watching {Directory} for certificate changes failed; relying on polling every {PollInterval}", directory, _options.PollInterval);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        // Restart the quiet period on every event; the timer fires once writes have settled.
        try
        {
            _debounceTimer.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event raced Dispose.
        }
    }

    private void WarnIfNotCurrentlyValid(X509Certificate2 certificate)
    {
        DateTime now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            _logger.LogWarning("TLS certificate {Thumbprint} is outside its validity period ({NotBefore:O} to {NotAfter:O}); clients will reject it", certificate.Thumbprint, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        }
    }
}
