using System.Collections.Concurrent;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using AdmissionGuard.Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Tests.Certificates;

public sealed class KestrelTlsExtensionsTests
{
    [Fact]
    public async Task Request_ClientTrustingOnlyGeneratedCa_Succeeds()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        await using var server = await TlsTestServer.StartAsync(new FixedCertificateProvider(ca.IssueServingCertificate()));
        using HttpClient client = TlsTestClient.Create([ca.Certificate]);

        string body = await client.GetStringAsync(server.BaseUri);

        Assert.Equal("ok HTTP/1.1", body);
    }

    [Fact]
    public async Task Request_ClientNotTrustingGeneratedCa_Fails()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        using var otherCa = SelfSignedCertificateAuthority.Create();
        await using var server = await TlsTestServer.StartAsync(new FixedCertificateProvider(ca.IssueServingCertificate()));
        using var systemTrust = new HttpClient();
        using HttpClient otherTrust = TlsTestClient.Create([otherCa.Certificate]);

        var systemError = await Assert.ThrowsAsync<HttpRequestException>(() => systemTrust.GetStringAsync(server.BaseUri));
        var otherError = await Assert.ThrowsAsync<HttpRequestException>(() => otherTrust.GetStringAsync(server.BaseUri));

        Assert.IsType<AuthenticationException>(systemError.InnerException);
        Assert.IsType<AuthenticationException>(otherError.InnerException);
    }

    [Fact]
    public async Task Request_Http2AndTls12Only_AreServed()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        await using var server = await TlsTestServer.StartAsync(new FixedCertificateProvider(ca.IssueServingCertificate()));
        using HttpClient tls12Client = TlsTestClient.Create([ca.Certificate], SslProtocols.Tls12);
        using HttpClient client = TlsTestClient.Create([ca.Certificate]);
        using var http2 = new HttpRequestMessage(HttpMethod.Get, server.BaseUri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        Assert.Equal("ok HTTP/1.1", await tls12Client.GetStringAsync(server.BaseUri));
        using HttpResponseMessage response = await client.SendAsync(http2);
        Assert.Equal("ok HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void ConfigureHttps_AllowsOnlyTls12AndTls13_AndSelectsProvidersCurrentCertificate()
    {
        using var ca = SelfSignedCertificateAuthority.Create();
        var provider = new FixedCertificateProvider(ca.IssueServingCertificate());
        var https = new HttpsConnectionAdapterOptions();

        KestrelTlsExtensions.ConfigureHttps(https, provider);

        // TLS 1.0/1.1 refusal is pinned here rather than over a socket: this machine's OpenSSL 3 will not
        // speak TLS 1.1 as a client at its default security level, so a socket test would pass vacuously.
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, https.SslProtocols);
        Assert.Same(provider.Current, https.ServerCertificateSelector!(null, "localhost"));
    }

    [Fact]
    public async Task Rotation_WhileRequestsFlow_NoRequestFailsAndNewCertificateIsServed()
    {
        string directory = Directory.CreateTempSubdirectory("ag-rotate-").FullName;
        try
        {
            using var oldCa = SelfSignedCertificateAuthority.Create();
            using var newCa = SelfSignedCertificateAuthority.Create(commonName: "AdmissionGuard rotated CA");
            using X509Certificate2 oldCertificate = oldCa.IssueServingCertificate();
            using X509Certificate2 newCertificate = newCa.IssueServingCertificate();
            (string certificatePath, string keyPath) = CertificatePemFiles.WriteServingPair(directory, oldCertificate);

            var logger = new ListLogger<CertificateReloader>();
            var options = new CertificateReloaderOptions { PollInterval = TimeSpan.FromSeconds(2), Debounce = TimeSpan.FromMilliseconds(100) };
            using var reloader = new CertificateReloader(certificatePath, keyPath, logger, TimeProvider.System, options);
            await using var server = await TlsTestServer.StartAsync(reloader);
            Assert.Equal(oldCertificate.Thumbprint, await TlsTestClient.GetServedThumbprintAsync(server.BaseUri));

            var seen = new ConcurrentDictionary<string, int>();
            var failures = new ConcurrentQueue<Exception>();
            int succeeded = 0;
            using var stop = new CancellationTokenSource();
            using HttpClient client = TlsTestClient.Create(
                [oldCa.Certificate, newCa.Certificate],
                onServerCertificate: c => seen.AddOrUpdate(c.GetCertHashString(), 1, (_, n) => n + 1));
            Task[] load = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using HttpResponseMessage response = await client.GetAsync(server.BaseUri, CancellationToken.None);
                        response.EnsureSuccessStatusCode();
                        Interlocked.Increment(ref succeeded);
                    }
                    catch (Exception ex)
                    {
                        failures.Enqueue(ex);
                    }
                }
            }))];

            await TlsTestClient.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= 20), TimeSpan.FromSeconds(60), "requests flow with the old certificate");

            // A plain (non-atomic) rewrite, certificate first: readers can see a new certificate with the old key.
            await File.WriteAllTextAsync(certificatePath, newCertificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, CertificatePemFiles.ExportPrivateKeyPem(newCertificate));

            await TlsTestClient.WaitUntilAsync(
                async () => await TlsTestClient.GetServedThumbprintAsync(server.BaseUri) == newCertificate.Thumbprint,
                TimeSpan.FromSeconds(30),
                "the new certificate is served");
            int afterRotation = Volatile.Read(ref succeeded);
            await TlsTestClient.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= afterRotation + 20), TimeSpan.FromSeconds(60), "requests flow with the new certificate");

            // A garbage key must not take the server down or swap anything.
            await File.WriteAllTextAsync(keyPath, "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
            await TlsTestClient.WaitUntilAsync(() => Task.FromResult(logger.Count(LogLevel.Error) > 0), TimeSpan.FromSeconds(30), "the bad key is reported");
            Assert.Equal(newCertificate.Thumbprint, await TlsTestClient.GetServedThumbprintAsync(server.BaseUri));
            int afterGarbage = Volatile.Read(ref succeeded);
            await TlsTestClient.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= afterGarbage + 20), TimeSpan.FromSeconds(60), "requests flow after the bad key");

            await stop.CancelAsync();
            await Task.WhenAll(load);

            Assert.Empty(failures);
            Assert.Equal(newCertificate.Thumbprint, reloader.Current.Thumbprint);
            Assert.Equal(newCertificate.Thumbprint, await TlsTestClient.GetServedThumbprintAsync(server.BaseUri));
            Assert.Contains(oldCertificate.Thumbprint, seen.Keys);
            Assert.Contains(newCertificate.Thumbprint, seen.Keys);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
