using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AdmissionGuard.Tests.Certificates;
using AdmissionGuard.Tests.Webhooks;

namespace AdmissionGuard.Tests.Adversarial;

/// <summary>
/// Faults around the real server: a registry that is down or slow, no scans, policy files rewritten under
/// traffic. With failurePolicy Ignore a crash or a malformed answer is an allow, so every request must get
/// a valid AdmissionReview (or an explicit 4xx), and an unverified twin is never rewritten to.
/// SIGTERM under load: GracefulShutdownTests.
/// </summary>
public sealed class FaultTests
{
    private static readonly string[] Images = ["nginx:1.25", "docker.io/library/redis:7", "busybox"];

    private static string TwinPolicies(string registry) => $$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: mirror}
        spec:
          hardened: ["{{registry}}/hardened/**"]
          mappings:
            - {from: "docker.io/library/*", to: "{{registry}}/hardened/{name}:{tag}"}
          verifyExists: true
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: verified-twins}
        spec:
          mode: Enforce
          rules:
            hardened: {required: true, sources: [mirror]}
          rewrite: {enabled: true, target: Pods}
        """;

    private static Dictionary<string, string> Files(string text) => new() { ["policies.yaml"] = text };

    [Fact]
    public async Task RegistryDown_EveryRequest_ValidReviewAndNoRewriteToUnverifiedTwin()
    {
        var port = ClosedPort();
        await using var server = await WebhookServer.StartWithAsync(Files(TwinPolicies($"127.0.0.1:{port}")), null, "--insecure-registry", $"127.0.0.1:{port}");

        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var path = i % 2 == 0 ? "/mutate" : "/validate";
            var pod = TestObjects.Load("Pod", ns: "apps", image: Images[i % Images.Length]);
            return (path, response: await server.ReviewAsync(path, TestObjects.Review(pod)));
        }));

        Assert.All(answers.Where(a => a.path == "/mutate"), a =>
        {
            Assert.True((bool)a.response["allowed"]!);
            Assert.Null(a.response["patch"]);
        });
        Assert.All(answers.Where(a => a.path == "/validate"), a =>
        {
            Assert.False((bool)a.response["allowed"]!);
            var message = (string)a.response["status"]!["message"]!;
            Assert.Contains("is not hardened", message, StringComparison.Ordinal);
            Assert.DoesNotContain("; use \"", message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task RegistrySlow_AnswersFromTheBudgetWithUnverifiedTwinMessage()
    {
        using var registry = new StallingRegistry();
        var host = $"127.0.0.1:{registry.Port}";
        await using var server = await WebhookServer.StartWithAsync(Files(TwinPolicies(host)), null, "--insecure-registry", host, "--registry-budget", "300ms");
        var pod = TestObjects.Load("Pod", ns: "apps", image: "nginx:1.25");

        var mutated = await server.ReviewAsync("/mutate", TestObjects.Review(pod));
        var validated = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True(registry.Connections > 0, "the registry was asked");
        Assert.True((bool)mutated["allowed"]!);
        Assert.Null(mutated["patch"]);
        Assert.False((bool)validated["allowed"]!);
        Assert.Contains($"its hardened twin \"{host}/hardened/nginx:1.25\" could not be verified yet", (string)validated["status"]!["message"]!, StringComparison.Ordinal);
        // The registry never answers and holds every connection open until it is disposed, so both answers (and the
        // "not verified yet" above) can only have come from the budget: no wall-clock measure is needed.
    }

    [Theory]
    [InlineData("Deny", false)]
    [InlineData("Warn", true)]
    [InlineData("Allow", true)]
    public async Task ScanCacheEmpty_OnMissing_DecidesAsConfigured(string onMissing, bool allowed)
    {
        var policies = $$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: scanned}
            spec:
              mode: Enforce
              rules:
                scan: {minGrade: B, onMissing: {{onMissing}}}
            """;
        await using var server = await WebhookServer.StartWithAsync(Files(policies), null);
        var review = TestObjects.Review(TestObjects.Load("Pod", ns: "apps", image: "dhi.io/nginx:1.25"));

        var response = await server.ReviewAsync("/validate", review);
        var mutated = await server.ReviewAsync("/mutate", review);

        Assert.Equal(allowed, (bool)response["allowed"]!);
        Assert.True((bool)mutated["allowed"]!, "/mutate never denies");
        var warnings = response["warnings"]?.AsArray().Select(w => (string)w!).ToList() ?? [];
        switch (onMissing)
        {
            case "Deny":
                Assert.Contains("dhi.io/nginx:1.25", (string)response["status"]!["message"]!, StringComparison.Ordinal);
                break;
            case "Warn":
                Assert.Contains(warnings, w => w.Contains("dhi.io/nginx:1.25", StringComparison.Ordinal));
                break;
            default:
                Assert.Empty(warnings);
                break;
        }
    }

    [Fact]
    public async Task PolicyRewrittenTwentyTimesUnderTraffic_EveryAnswerValidAndLastPolicyDecides()
    {
        static string Policy(int version) => $$"""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: churn}
            spec:
              mode: Enforce
              match: {namespaces: ["churn"]}
              rules:
                tags:
                  disallowed: ["v{{version}}"]
            """;
        await using var server = await WebhookServer.StartWithAsync(Files(Policy(0)), null);
        var file = Path.Combine(server.PoliciesDir, "policies.yaml");
        var failures = new ConcurrentQueue<string>();
        var answered = 0;
        using var stop = new CancellationTokenSource();

        var loops = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            using var client = server.CreateClient();
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var review = TestObjects.Review(TestObjects.Load("Pod", ns: "churn", image: $"dhi.io/nginx:v{n++ % 20}"));
                var uid = (string)review["request"]!["uid"]!;
                try
                {
                    using var response = await server.PostAsync(i % 2 == 0 ? "/validate" : "/mutate", review.ToJsonString(), client: client);
                    var body = await response.Content.ReadAsStringAsync();
                    var answer = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body) : null;
                    if (answer?["kind"]?.GetValue<string>() != "AdmissionReview" || (string?)answer["response"]?["uid"] != uid || answer["response"]?["allowed"] is null)
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {body}");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue(e.Message);
                }

                Interlocked.Increment(ref answered);
            }
        })).ToArray();

        for (var version = 1; version <= 20; version++)
        {
            File.WriteAllText(file, Policy(version));
            // Each version is in force before the next is written: an event, not a fixed pause.
            var image = $"dhi.io/nginx:v{version}";
            await TlsTestClient.WaitUntilAsync(async () =>
            {
                var answer = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", ns: "churn", image: image)));
                return !(bool)answer["allowed"]!;
            }, TimeSpan.FromSeconds(30), $"policy v{version} decides");
        }

        await TlsTestClient.WaitUntilAsync(async () =>
        {
            var last = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", ns: "churn", image: "dhi.io/nginx:v20")));
            return !(bool)last["allowed"]!;
        }, TimeSpan.FromSeconds(30), "the last policy (v20 disallowed) decides");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var earlier = await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", ns: "churn", image: "dhi.io/nginx:v19")));
        Assert.True((bool)earlier["allowed"]!, "v19 is allowed by the last policy");
        Assert.True(answered > 20, $"{answered} requests during the rewrites");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A "registry" that accepts connections and says nothing until it is disposed.</summary>
    private sealed class StallingRegistry : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<TcpClient> _held = new();
        private int _connections;

        public StallingRegistry()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        _held.Enqueue(await _listener.AcceptTcpClientAsync(_stop.Token));
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _connections);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            while (_held.TryDequeue(out var client))
            {
                client.Dispose();
            }

            _stop.Dispose();
        }
    }
}
