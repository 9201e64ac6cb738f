using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Certificates;
using AdmissionGuard.Kubernetes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Kubernetes;

public sealed class SelfManagedCertificatesTests
{
    private const string SecretKey = "ag/ag-tls";
    private static readonly string Secrets = ResourcePath.Secrets.Collection;
    private static readonly string Validating = ResourcePath.ValidatingWebhookConfigurations.Collection;
    private static readonly string Mutating = ResourcePath.MutatingWebhookConfigurations.Collection;
    private static readonly string[] ServiceNames = ["admission-guard.ag.svc", "admission-guard.ag.svc.cluster.local"];

    // Serving lives as long as the CA, so both come due together and a CA rotation meets a still-valid old certificate.
    private static readonly SelfManagedCertificatesOptions Options = new()
    {
        SecretName = "ag-tls",
        Namespace = "ag",
        ServiceName = "admission-guard",
        ValidatingWebhook = "admission-guard",
        MutatingWebhook = "admission-guard",
        CaValidity = TimeSpan.FromDays(30),
        ServingValidity = TimeSpan.FromDays(30),
        Grace = TimeSpan.FromMinutes(1),
        Resync = TimeSpan.FromMinutes(1),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Issuer_Bootstrap_WritesSecretAndPatchesOnlyCaBundleOfEveryWebhook()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var replica = await Replica.StartAsync(server, time, leader: true);

        await Eventually.True(() => server.Get(Secrets, SecretKey) is not null, "Secret created");
        var secret = server.Get(Secrets, SecretKey)!;
        Assert.Equal("kubernetes.io/tls", secret["type"]!.GetValue<string>());
        var data = secret["data"]!.AsObject();
        Assert.All(new[] { "tls.crt", "tls.key", "ca.crt", "ca.key" }, k => Assert.False(string.IsNullOrEmpty(data[k]?.GetValue<string>()), k));
        await Eventually.True(() => CaBundles(server).All(b => b == data["ca.crt"]!.GetValue<string>()), "every webhook's caBundle is the Secret's ca.crt");

        using var ca = Assert.Single(Bundle(server.Get(Secrets, SecretKey)!));
        using var serving = Serving(server.Get(Secrets, SecretKey)!);
        Assert.Equal(256, ca.GetECDsaPublicKey()!.KeySize);
        Assert.Equal(ca.Subject, serving.Issuer);
        var names = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.All(ServiceNames, n => Assert.Contains(n, names));

        // Everything but caBundle is as the chart wrote it, and the patches were strategic merges keyed by webhook name.
        var validating = server.Get(Validating, "admission-guard")!;
        Assert.Equal(2, validating["webhooks"]!.AsArray().Count);
        Assert.All(validating["webhooks"]!.AsArray(), w =>
        {
            Assert.Equal("Fail", w!["failurePolicy"]!.GetValue<string>());
            Assert.Equal("/validate", w["clientConfig"]!["service"]!["path"]!.GetValue<string>());
            Assert.Equal("pods", w["rules"]![0]!["resources"]![0]!.GetValue<string>());
        });
        Assert.Equal("keep", validating["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.All(server.RequestsTo("PATCH", "webhookconfigurations"), r => Assert.StartsWith("application/strategic-merge-patch+json", r.ContentType, StringComparison.Ordinal));

        // Passes that find everything right write nothing.
        var gets = server.RequestsTo("GET", "/validatingwebhookconfigurations/").Count;
        await Eventually.True(() =>
        {
            time.Advance(TimeSpan.FromMinutes(1));
            return server.RequestsTo("GET", "/validatingwebhookconfigurations/").Count >= gets + 3;
        }, "more passes");
        Assert.Single(server.RequestsTo("PATCH", "/validatingwebhookconfigurations/"));
        Assert.Single(server.RequestsTo("PATCH", "/mutatingwebhookconfigurations/"));
        Assert.Single(server.RequestsTo("POST", "/secrets"));
        Assert.Empty(server.RequestsTo("PATCH", "/secrets"));
        Assert.Empty(server.RequestsTo("PUT", "/secrets"));
        await Eventually.True(() => replica.Provider.Current.Thumbprint == serving.Thumbprint, "the replica serves the Secret's certificate");
    }

    [Fact]
    public async Task Issuer_NotLeader_WritesNothingAndReplicaStaysUnready()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var replica = await Replica.StartAsync(server, time, leader: false);

        await Eventually.True(() => server.RequestsTo("GET", "/namespaces/ag/secrets").Any(r => r.Query.Contains("watch=true", StringComparison.Ordinal)), "the replica watches the Secret");
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }

        Assert.DoesNotContain(server.Requests, r => r.Method is "POST" or "PUT" or "PATCH");
        Assert.False(replica.Provider.FirstCertificate.IsCompleted);
        Assert.False(replica.Provider.HasCertificate);
        Assert.Equal("CN=admissionguard-waiting-for-certificate-secret", replica.Provider.Current.Subject);

        replica.Leadership.IsLeader = true;
        await replica.Provider.FirstCertificate.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(server.Get(Secrets, SecretKey));
    }

    [Fact]
    public async Task Provider_SecretWrittenByLeader_ServesItTrustedByItsCaOnly()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var follower = await Replica.StartAsync(server, time, leader: false);
        await using var tls = await TlsTestServer.StartAsync(follower.Provider, () => SecretBundle(server), time);

        // Before the Secret exists the follower serves a throwaway certificate no one trusts.
        Assert.False(await tls.TryRequestAsync());
        await using var leader = await Replica.StartAsync(server, time, leader: true);
        await follower.Provider.FirstCertificate.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(await tls.TryRequestAsync());
        using var serving = Serving(server.Get(Secrets, SecretKey)!);
        Assert.Contains(serving.Thumbprint, tls.Served.Keys);
    }

    [Fact]
    public async Task Issuer_ServingCertificateDue_SwapsWithZeroFailedRequests()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var shortServing = Options with { ServingValidity = TimeSpan.FromDays(9) };
        await using var leader = await Replica.StartAsync(server, time, leader: true, shortServing);
        await using var follower = await Replica.StartAsync(server, time, leader: false, shortServing);
        await follower.Provider.FirstCertificate.WaitAsync(TimeSpan.FromSeconds(20));

        // Bootstrap is done once the webhooks trust the CA; before that no request can succeed, by design.
        await Eventually.True(() => CaBundles(server).All(b => b is not null && b == server.Get(Secrets, SecretKey)!["data"]!["ca.crt"]!.GetValue<string>()), "caBundles written");
        var first = follower.Provider.Current.Thumbprint;
        await using var tls = await TlsTestServer.StartAsync(follower.Provider, () => WebhookBundle(server), time);
        var (failed, total) = await WhileRequestingAsync(tls, async () =>
        {
            await Eventually.True(() => tls.Served.ContainsKey(first), "requests flowing");

            // Past two thirds of the serving certificate's life, far from the CA's.
            time.Advance(TimeSpan.FromDays(7));

            // A pass in flight during the jump sleeps on a timer set after it: the clock has to keep moving, as a real one does.
            await Eventually.True(() =>
            {
                time.Advance(TimeSpan.FromSeconds(30));
                return follower.Provider.Current.Thumbprint != first;
            }, "the follower swapped certificates");
            var second = follower.Provider.Current.Thumbprint;
            await Eventually.True(() => tls.Served.ContainsKey(second), "the new certificate is served");
        });

        Assert.Equal(0, failed);
        Assert.True(total > 2, $"{total} requests");
        Assert.Single(Bundle(server.Get(Secrets, SecretKey)!));
    }

    [Fact]
    public async Task Issuer_CaRotation_BundleHoldsOldAndNewBeforeNewCaServes_ZeroFailedRequests()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var leader = await Replica.StartAsync(server, time, leader: true);
        await using var follower = await Replica.StartAsync(server, time, leader: false);
        await follower.Provider.FirstCertificate.WaitAsync(TimeSpan.FromSeconds(20));

        // Bootstrap is done once the webhooks trust the CA; before that no request can succeed, by design.
        await Eventually.True(() => CaBundles(server).All(b => b is not null && b == server.Get(Secrets, SecretKey)!["data"]!["ca.crt"]!.GetValue<string>()), "caBundles written");
        using var oldCa = Assert.Single(Bundle(server.Get(Secrets, SecretKey)!));

        // Every handshake must verify against the caBundle the API server holds at that moment.
        await using var tls = await TlsTestServer.StartAsync(follower.Provider, () => WebhookBundle(server), time);
        var (failed, total) = await WhileRequestingAsync(tls, async () =>
        {
            await Eventually.True(() => !tls.Served.IsEmpty, "requests flowing");
            time.Advance(TimeSpan.FromDays(21));

            // Grace periods pass only once the follower serves what the Secret holds: watch latency stays below them.
            await Eventually.True(() =>
            {
                var secret = server.Get(Secrets, SecretKey)!;
                using var serving = Serving(secret);
                if (follower.Provider.Current.Thumbprint == serving.Thumbprint && CaBundles(server).All(b => b == secret["data"]!["ca.crt"]!.GetValue<string>()))
                {
                    time.Advance(TimeSpan.FromSeconds(30));
                }

                var bundle = WebhookBundle(server);
                return bundle.Count == 1 && bundle[0].Thumbprint != oldCa.Thumbprint && serving.Issuer == bundle[0].Subject;
            }, "rotated to the new CA and dropped the old one", seconds: 60);
        });

        Assert.Equal(0, failed);
        Assert.True(total > 2, $"{total} requests");

        // The order, as the API server saw it: old, old+new, new; the new CA's certificate only after old+new.
        var patches = server.RequestsTo("PATCH", "/validatingwebhookconfigurations/").Select(r => PatchedBundleSize(r.Body)).ToList();
        Assert.Equal([1, 2, 1], patches);
        var requests = server.Requests.ToList();
        var bothIndex = requests.FindIndex(r => r.Method == "PATCH" && r.Path.Contains("/mutatingwebhookconfigurations/", StringComparison.Ordinal) && PatchedBundleSize(r.Body) == 2);
        var switchIndex = requests.FindIndex(r => r.Method == "PATCH" && r.Path.EndsWith("/secrets/ag-tls", StringComparison.Ordinal) && SignedByNewCa(r.Body, oldCa));
        Assert.True(bothIndex >= 0 && switchIndex > bothIndex, $"old+new bundle at request {bothIndex}, new CA's certificate at {switchIndex}");
    }

    [Fact]
    public async Task Issuer_CertificateWithoutServiceNames_IsReissued()
    {
        await using var server = await StartServerAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = SelfSignedCertificateAuthority.Create(time, TimeSpan.FromDays(30));
        using var wrong = ca.IssueServingCertificate(["other.ag.svc"], TimeSpan.FromDays(30));
        var content = new SelfManagedCertificatesSecret(
            wrong.ExportCertificatePem(), CertificatePemFiles.ExportPrivateKeyPem(wrong), ca.Certificate.ExportCertificatePem(), ca.ExportKeyPem());
        server.Apply(Secrets, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "ag-tls", ["namespace"] = "ag", ["annotations"] = new JsonObject { ["keep"] = "me" } },
            ["type"] = "kubernetes.io/tls",
            ["data"] = content.ToData(),
        }.ToJsonString());

        await using var replica = await Replica.StartAsync(server, time, leader: true);
        await Eventually.True(() => Serving(server.Get(Secrets, SecretKey)!).Thumbprint != wrong.Thumbprint, "reissued");
        var secret = server.Get(Secrets, SecretKey)!;
        using var serving = Serving(secret);
        Assert.Equal(ca.Certificate.Subject, serving.Issuer);
        Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(Bundle(secret)).Thumbprint);
        Assert.Equal("me", secret["metadata"]!["annotations"]!["keep"]!.GetValue<string>());
    }

    private static async Task<(int Failed, int Total)> WhileRequestingAsync(TlsTestServer tls, Func<Task> during)
    {
        using var stop = new CancellationTokenSource();
        var failed = 0;
        var total = 0;
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!await tls.TryRequestAsync())
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Increment(ref total);
            }
        });
        try
        {
            await during();
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }

        return (failed, total);
    }

    private static async Task<FakeKubeApiServer> StartServerAsync()
    {
        var server = await FakeKubeApiServer.StartAsync();
        server.Apply(Validating, WebhookConfiguration("ValidatingWebhookConfiguration", "/validate", "validate.admissionguard.io", "validate-workloads.admissionguard.io"));
        server.Apply(Mutating, WebhookConfiguration("MutatingWebhookConfiguration", "/mutate", "mutate.admissionguard.io"));
        return server;
    }

    private static string WebhookConfiguration(string kind, string path, params string[] webhooks) => new JsonObject
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = "admission-guard", ["labels"] = new JsonObject { ["team"] = "keep" } },
        ["webhooks"] = new JsonArray([.. webhooks.Select(name => (JsonNode)new JsonObject
        {
            ["name"] = name,
            ["failurePolicy"] = "Fail",
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "admission-guard", ["namespace"] = "ag", ["path"] = path } },
            ["rules"] = new JsonArray(new JsonObject { ["apiGroups"] = new JsonArray(""), ["apiVersions"] = new JsonArray("v1"), ["operations"] = new JsonArray("CREATE"), ["resources"] = new JsonArray("pods") }),
        })]),
    }.ToJsonString();

    private static IEnumerable<string?> CaBundles(FakeKubeApiServer server) =>
        new[] { Validating, Mutating }.SelectMany(c => server.Get(c, "admission-guard")!["webhooks"]!.AsArray().Select(w => w!["clientConfig"]!["caBundle"]?.GetValue<string>()));

    private static List<X509Certificate2> WebhookBundle(FakeKubeApiServer server) =>
        server.Get(Validating, "admission-guard")!["webhooks"]![0]!["clientConfig"]!["caBundle"]?.GetValue<string>() is { } b ? FromPem(Encoding.ASCII.GetString(Convert.FromBase64String(b))) : [];

    private static List<X509Certificate2> SecretBundle(FakeKubeApiServer server) => server.Get(Secrets, SecretKey) is { } s ? Bundle(s) : [];

    private static List<X509Certificate2> Bundle(JsonObject secret) => FromPem(Data(secret, "ca.crt"));

    private static X509Certificate2 Serving(JsonObject secret) => X509Certificate2.CreateFromPem(Data(secret, "tls.crt"));

    private static string Data(JsonObject secret, string key) => Encoding.ASCII.GetString(Convert.FromBase64String(secret["data"]![key]!.GetValue<string>()));

    private static List<X509Certificate2> FromPem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return [.. collection];
    }

    private static int PatchedBundleSize(string body)
    {
        var caBundle = JsonNode.Parse(body)!["webhooks"]![0]!["clientConfig"]!["caBundle"]!.GetValue<string>();
        return FromPem(Encoding.ASCII.GetString(Convert.FromBase64String(caBundle))).Count;
    }

    private static bool SignedByNewCa(string secretBody, X509Certificate2 oldCa)
    {
        using var serving = Serving(JsonNode.Parse(secretBody)!.AsObject());
        return serving.Issuer != oldCa.Subject;
    }

    /// <summary>One replica: the Secret watch and the issuer, each with its own client, as separate pods would have.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly k8s.Kubernetes client;
        private readonly IHostedService[] services;

        private Replica(k8s.Kubernetes client, TestLeadership leadership, SelfManagedCertificatesProvider provider, SelfManagedCertificatesIssuer issuer)
        {
            this.client = client;
            Leadership = leadership;
            Provider = provider;
            services = [provider, issuer];
        }

        public TestLeadership Leadership { get; }

        public SelfManagedCertificatesProvider Provider { get; }

        public static async Task<Replica> StartAsync(FakeKubeApiServer server, TimeProvider time, bool leader, SelfManagedCertificatesOptions? options = null)
        {
            options ??= Options;
            var client = server.CreateClient();
            var api = new KubeApi(client);
            var leadership = new TestLeadership(leader);
            var provider = new SelfManagedCertificatesProvider(api, options, time, NullLogger<SelfManagedCertificatesProvider>.Instance, TestObjects.FastWatch);
            var issuer = new SelfManagedCertificatesIssuer(api, options, leadership, time, NullLogger<SelfManagedCertificatesIssuer>.Instance, provider);
            var replica = new Replica(client, leadership, provider, issuer);
            foreach (var service in replica.services)
            {
                await service.StartAsync(CancellationToken.None);
            }

            return replica;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var service in services)
            {
                await service.StopAsync(CancellationToken.None);
                ((IDisposable)service).Dispose();
            }

            client.Dispose();
        }
    }
}
