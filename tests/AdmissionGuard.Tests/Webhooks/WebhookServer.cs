using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Commands;
using AdmissionGuard.Tests.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// The real <c>admissionguard serve</c> (ServeCommand.RunAsync), in-process on a free loopback port with its own
/// self-signed CA, a temp copy of the example policies and scans, and an HttpClient that trusts only that CA.
/// Usable as a class fixture, or started per test with <see cref="StartAsync"/> when a test changes files or stops it.
/// </summary>
public sealed class WebhookServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private readonly IReadOnlyDictionary<string, string>? _policyFiles;
    private readonly IReadOnlyDictionary<string, string>? _scanFiles;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<WebApplication> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<int>? _run;

    public WebhookServer()
        : this([])
    {
    }

    private WebhookServer(string[] extraArgs, IReadOnlyDictionary<string, string>? policyFiles = null, IReadOnlyDictionary<string, string>? scanFiles = null)
    {
        _extraArgs = extraArgs;
        _policyFiles = policyFiles;
        _scanFiles = scanFiles;
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ag-webhook-" + Guid.NewGuid().ToString("N")[..10]);

    public string PoliciesDir => Path.Combine(Root, "policies");

    public string ScansDir => Path.Combine(Root, "scans");

    public string CaDir => Path.Combine(Root, "ca");

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The running app, for what a test observes from inside (its services), never to drive it.</summary>
    public WebApplication App { get; private set; } = null!;

    /// <summary>Trusts only the CA this server wrote to <see cref="CaDir"/>; keeps connections alive like the API server.</summary>
    public HttpClient Client { get; private set; } = null!;

    public X509Certificate2 Ca { get; private set; } = null!;

    public StringWriter Stdout { get; } = new();

    public StringWriter Stderr { get; } = new();

    /// <summary>Completes with the exit code once RunAsync returns.</summary>
    public Task<int> Completion => _run ?? Task.FromResult(-1);

    public static async Task<WebhookServer> StartAsync(params string[] extraArgs)
    {
        var server = new WebhookServer(extraArgs);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Cluster mode: no policy files; <paramref name="extraArgs"/> name the cluster (<c>--kubeconfig</c>). Readiness is not awaited.</summary>
    public static async Task<WebhookServer> StartInClusterModeAsync(params string[] extraArgs)
    {
        var server = new WebhookServer(extraArgs, new Dictionary<string, string>(), new Dictionary<string, string>()) { _inCluster = true };
        await server.InitializeAsync();
        return server;
    }

    private bool _inCluster;

    /// <summary>Serves exactly these policy and scan files (name to YAML text) instead of the examples.</summary>
    public static async Task<WebhookServer> StartWithAsync(IReadOnlyDictionary<string, string> policyFiles, IReadOnlyDictionary<string, string>? scanFiles, params string[] extraArgs)
    {
        var server = new WebhookServer(extraArgs, policyFiles, scanFiles ?? new Dictionary<string, string>());
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(PoliciesDir);
        Directory.CreateDirectory(ScansDir);
        if (_policyFiles is not null)
        {
            foreach (var (name, text) in _policyFiles)
            {
                File.WriteAllText(Path.Combine(PoliciesDir, name), text);
            }

            foreach (var (name, text) in _scanFiles!)
            {
                File.WriteAllText(Path.Combine(ScansDir, name), text);
            }
        }
        else
        {
            CopyExamples();
        }

        await StartServingAsync();
    }

    private void CopyExamples()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Examples, "policies")))
        {
            File.Copy(file, Path.Combine(PoliciesDir, Path.GetFileName(file)));
        }

        File.Copy(RepoPaths.TestData("audit-policy.yaml"), Path.Combine(PoliciesDir, "audit-policy.yaml"));
        foreach (var file in Directory.GetFiles(RepoPaths.FreshExampleScans))
        {
            File.Copy(file, Path.Combine(ScansDir, Path.GetFileName(file)));
        }
    }

    private async Task StartServingAsync()
    {
        string[] files = _inCluster ? [] : ["--policies", PoliciesDir, "--scans", ScansDir];
        string[] args = ["--listen", "127.0.0.1:0", .. files, "--ca-dir", CaDir, .. _extraArgs];
        var stdout = TextWriter.Synchronized(Stdout);
        var stderr = TextWriter.Synchronized(Stderr);
        _run = Task.Run(() => ServeCommand.RunAsync(args, stdout, stderr, app => _started.TrySetResult(app), _stop.Token));
        _ = _run.ContinueWith(t => _started.TrySetException(new InvalidOperationException(
            $"serve ended before it started (exit {(t.IsCompletedSuccessfully ? t.Result : -1)}): {Stderr}", t.Exception)), TaskScheduler.Default);

        var app = await _started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        App = app;
        BaseUri = new Uri(BoundHttpsAddress(app));
        Ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(CaDir, "ca.crt"));
        Client = CreateClient();
    }

    /// <summary>A new client with its own connection pool that trusts only this server's CA.</summary>
    public HttpClient CreateClient()
    {
        X509Certificate2[] roots = [Ca];
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => TlsTestClient.ChainsToOneOf(certificate, errors, roots) },
        };
        return new HttpClient(handler) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json", HttpClient? client = null)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return (client ?? Client).PostAsync(path, content);
    }

    /// <summary>Posts a review and checks the envelope every answer must have: 200, JSON, exact apiVersion/kind, echoed uid.</summary>
    public async Task<JsonObject> ReviewAsync(string path, JsonObject review, HttpClient? client = null)
    {
        using var response = await PostAsync(path, review.ToJsonString(), client: client);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("admission.k8s.io/v1", (string?)answer["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)answer["kind"]);
        Assert.Null(answer["request"]);
        var uid = (string?)review["request"]?["uid"];
        Assert.Equal(uid, (string?)answer["response"]?["uid"]);
        return answer["response"]!.AsObject();
    }

    /// <summary>Acts like SIGTERM: the token RunAsync was given is cancelled, then waits for it to return.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_run is not null)
            {
                await StopAsync();
            }
        }
        finally
        {
            Client?.Dispose();
            Ca?.Dispose();
            _stop.Dispose();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static string BoundHttpsAddress(WebApplication app)
    {
        // With --listen 127.0.0.1:0, Kestrel reports the port the OS chose.
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? app.Urls;
        var https = addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal));
        Assert.DoesNotContain(":0/", https + "/", StringComparison.Ordinal);
        return https;
    }
}
