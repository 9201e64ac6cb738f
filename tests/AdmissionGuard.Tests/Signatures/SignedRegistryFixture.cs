using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Tests.Registry;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// A real docker-registry on loopback holding images signed by producers nobody here wrote or that follow the published
/// format without our code: Sigstore's JavaScript signer and OCI attacher (<c>Producers/sigstore-attach.js</c>, bundles as
/// referrers through the <c>sha256-&lt;hex&gt;</c> index tag, Rekor entries from @sigstore/mock) and cosign's tag scheme
/// built with openssl (<c>Producers/cosign-tag.sh</c>). Also a port that accepts and never answers (a hanging registry).
/// </summary>
public sealed class SignedRegistryFixture : IAsyncLifetime, IDisposable
{
    private readonly Dictionary<string, string> _digests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _publicKeys = new(StringComparer.Ordinal);
    private RegistryProcess? _registry;
    private TcpListener? _hanging;
    private readonly List<Socket> _held = [];
    private CancellationTokenSource? _accepting;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ag-signed-" + Guid.NewGuid().ToString("N")[..8]);

    public string Host => _registry!.Host;

    public string HangingHost { get; private set; } = "";

    public static string Producers => Path.Combine(RepoPaths.Root, "tests", "AdmissionGuard.Tests", "Signatures", "Producers");

    public static string NodeModules => Path.Combine(RepoPaths.Root, "tests", "tools", "sigstore", "node_modules");

    /// <summary>The manifest digest of <c>team/&lt;name&gt;:1</c> (or the full repository path given).</summary>
    public string Digest(string name) => _digests[name];

    public string PublicKey(string alg) => _publicKeys[alg];

    public string Image(string name) => $"{Host}/{(name.Contains('/', StringComparison.Ordinal) ? name : "team/" + name)}:1";

    public async Task InitializeAsync()
    {
        TestTools.RequireTools();
        if (!System.IO.Directory.Exists(Path.Combine(NodeModules, "@sigstore", "sign")))
        {
            throw new InvalidOperationException($"@sigstore/* are not installed in {NodeModules}: run tests/setup/sigstore.sh");
        }

        System.IO.Directory.CreateDirectory(Directory);
        _registry = await RegistryProcess.StartAsync(Directory, "signed", Path.Combine(Directory, "data"), null, null);
        StartHanging();

        foreach (var alg in new[] { "p256", "p384", "rsa", "ed25519", "other" })
        {
            await GenerateKeyAsync(alg);
        }

        var layout = Path.Combine(Directory, "oci");
        await TestTools.RunAsync("umoci", "init", "--layout", layout);
        string[] images =
        [
            "cosign-p256", "cosign-p384", "cosign-rsa", "cosign-rsapss", "cosign-ed25519", "cosign-wrongkey", "cosign-otherdigest",
            "cosign-tampered", "cosign-unsigned", "attested-cosign", "attested-missing", "attested-bundle", "bundle-message", "bundle-ed25519",
            "bundle-truncated", "bundle-huge", "bundle-many", "tlog-logged", "tlog-unlogged", "optional-unsigned", "optional-wrongkey",
            "dhi/app", "dhi/noatt", "unreach-app",
        ];
        foreach (var name in images)
        {
            var tag = name.Replace('/', '-');
            await TestTools.RunAsync("umoci", "new", "--image", $"{layout}:{tag}");
            await TestTools.RunAsync("umoci", "config", "--image", $"{layout}:{tag}", "--config.label", "image=" + name, "--architecture", "amd64", "--os", "linux");
            var repository = name.Contains('/', StringComparison.Ordinal) ? name : "team/" + name;
            await TestTools.RunAsync("skopeo", "copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:{tag}", $"docker://{Host}/{repository}:1");
            var raw = await TestTools.RunAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{Host}/{repository}:1");
            await File.WriteAllTextAsync(ManifestFile(name), raw);
            _digests[name] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
        }

        // cosign's tag scheme, one per algorithm, and the ways it goes wrong.
        await CosignAsync("sig", "cosign-p256", "p256", "p256");
        await CosignAsync("sig", "cosign-p384", "p384", "p384");
        await CosignAsync("sig", "cosign-rsa", "rsa", "rsa");
        await CosignAsync("sig", "cosign-rsapss", "rsa", "rsa-pss");
        await CosignAsync("sig", "cosign-ed25519", "ed25519", "ed25519");
        await CosignAsync("sig", "cosign-wrongkey", "other", "p256");
        await CosignAsync("sig", "optional-wrongkey", "other", "p256");
        // A valid signature of another image, copied under this image's .sig tag.
        await CosignAsync("sig", "cosign-otherdigest", "p256", "p256", ("NAMED_DIGEST", Digest("cosign-p256")));
        await CosignAsync("sig", "cosign-tampered", "p256", "p256", ("TAMPER", "1"));
        await CosignAsync("sig", "attested-cosign", "p256", "p256");
        await CosignAsync("att", "attested-cosign", "p256", "p256", ("PREDICATE_TYPES", $"{SignatureWebhookTests.Slsa} {SignatureWebhookTests.CycloneDx}"));
        await CosignAsync("sig", "attested-missing", "p256", "p256");
        await CosignAsync("att", "attested-missing", "p256", "p256", ("PREDICATE_TYPES", SignatureWebhookTests.Slsa), ("STATEMENT_TYPE", "https://in-toto.io/Statement/v0.1"));

        // Docker Hardened Images' layout: the image unsigned, its attestations in another repository, signed by the key.
        await CosignAsync("att", "dhi/app", "p256", "p256", ("REPOSITORY", "scout/app"), ("PREDICATE_TYPES", $"{SignatureWebhookTests.Slsa} {SignatureWebhookTests.CycloneDx}"));
        await CosignAsync("att", "dhi/noatt", "p256", "p256", ("REPOSITORY", "scout/noatt"), ("PREDICATE_TYPES", SignatureWebhookTests.CycloneDx));

        // Sigstore bundles made by @sigstore/sign and attached by @sigstore/oci.
        await SigstoreAsync("bundle-message", "message", "p256", tlog: false);
        await SigstoreAsync("bundle-ed25519", "message", "ed25519", tlog: false);
        await SigstoreAsync("tlog-logged", "message", "p256", tlog: true);
        await SigstoreAsync("tlog-unlogged", "message", "p256", tlog: false);
        await SigstoreAsync("bundle-truncated", "message", "p256", tlog: false, truncate: true);
        await SigstoreAsync("attested-bundle", "message", "p256", tlog: false);
        await SigstoreAsync("attested-bundle", "dsse", "p256", tlog: false, predicateType: SignatureWebhookTests.Slsa);
        await SigstoreAsync("attested-bundle", "dsse", "p256", tlog: false, predicateType: SignatureWebhookTests.CycloneDx);

        // Hostile registries' data, written straight into the real registry: a bundle over the size limit, and a
        // referrers index of 10,000 bundle entries (all pointing at one real referrer, which the registry accepts).
        await SigstoreAsync("bundle-many", "message", "p256", tlog: false);
        await InflateReferrersAsync("bundle-many", 10_000);
        await PushHugeBundleAsync("bundle-huge", 2 * 1024 * 1024);
    }

    public void Dispose()
    {
        _accepting?.Dispose();
        _hanging?.Dispose();
    }

    public Task DisposeAsync()
    {
        _accepting?.Cancel();
        _hanging?.Stop();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }

        _registry?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private string ManifestFile(string name) => Path.Combine(Directory, name.Replace('/', '-') + ".manifest.json");

    private string KeyFile(string alg) => Path.Combine(Directory, alg + ".key.pem");

    private async Task GenerateKeyAsync(string alg)
    {
        var key = KeyFile(alg);
        string[] args = alg switch
        {
            "p384" => ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", key],
            "rsa" => ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
            "ed25519" => ["genpkey", "-algorithm", "ed25519", "-out", key],
            _ => ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
        };
        await TestTools.RunAsync("openssl", args);
        _publicKeys[alg] = await TestTools.RunAsync("openssl", "pkey", "-in", key, "-pubout");
    }

    private async Task CosignAsync(string kind, string name, string key, string alg, params (string Name, string Value)[] environment)
    {
        var repository = name.Contains('/', StringComparison.Ordinal) ? name : "team/" + name;
        var target = environment.FirstOrDefault(e => e.Name == "REPOSITORY").Value ?? repository;
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { Path.Combine(Producers, "cosign-tag.sh"), kind, Host, target, Digest(name), KeyFile(key), alg })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        await RunAsync(start);
    }

    private async Task SigstoreAsync(string name, string kind, string key, bool tlog, bool truncate = false, string? predicateType = null)
    {
        var request = new JsonObject
        {
            ["registry"] = Host,
            ["repository"] = "team/" + name,
            ["digest"] = Digest(name),
            ["kind"] = kind,
            ["keyFile"] = KeyFile(key),
            ["manifestFile"] = ManifestFile(name),
            ["tlog"] = tlog,
            ["truncate"] = truncate,
        };
        if (predicateType is not null)
        {
            var statement = Path.Combine(Directory, $"{name}-{predicateType.GetHashCode():x}.statement.json");
            await File.WriteAllTextAsync(statement, new JsonObject
            {
                ["_type"] = "https://in-toto.io/Statement/v1",
                ["subject"] = new JsonArray(new JsonObject { ["name"] = $"{Host}/team/{name}", ["digest"] = new JsonObject { ["sha256"] = Digest(name)[7..] } }),
                ["predicateType"] = predicateType,
                ["predicate"] = new JsonObject { ["producer"] = "@sigstore/sign" },
            }.ToJsonString());
            request["statementFile"] = statement;
        }

        var file = Path.Combine(Directory, $"{name}-{kind}-{Guid.NewGuid():N}.request.json");
        await File.WriteAllTextAsync(file, request.ToJsonString());
        var start = new System.Diagnostics.ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(Producers, "sigstore-attach.js"));
        start.ArgumentList.Add(file);
        start.Environment["NODE_PATH"] = NodeModules;
        await RunAsync(start);
    }

    private async Task InflateReferrersAsync(string name, int count)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Host}/v2/team/{name}/") };
        var tag = Digest(name).Replace(':', '-');
        using var request = new HttpRequestMessage(HttpMethod.Get, "manifests/" + tag);
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
        using var response = await http.SendAsync(request);
        var index = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var entry = index["manifests"]![0]!;
        var manifests = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            manifests.Add(entry.DeepClone());
        }

        index["manifests"] = manifests;
        await PutManifestAsync(http, tag, index.ToJsonString(), "application/vnd.oci.image.index.v1+json");
    }

    private async Task PushHugeBundleAsync(string name, int size)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Host}/v2/team/{name}/") };
        var bundle = Encoding.UTF8.GetBytes("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"padding\":\"" + new string('A', size) + "\"}");
        var bundleDigest = await PushBlobAsync(http, bundle);
        var config = await PushBlobAsync(http, "{}"u8.ToArray());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["artifactType"] = "application/vnd.dev.sigstore.bundle.v0.3+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = config, ["size"] = 2 },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.3+json", ["digest"] = bundleDigest, ["size"] = bundle.Length }),
        }.ToJsonString();
        var manifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest)));
        await PutManifestAsync(http, manifestDigest, manifest, "application/vnd.oci.image.manifest.v1+json");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = manifestDigest,
                ["size"] = Encoding.UTF8.GetByteCount(manifest),
                ["artifactType"] = "application/vnd.dev.sigstore.bundle.v0.3+json",
            }),
        }.ToJsonString();
        await PutManifestAsync(http, Digest(name).Replace(':', '-'), index, "application/vnd.oci.image.index.v1+json");
    }

    private static async Task<string> PushBlobAsync(HttpClient http, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        using var start = await http.PostAsync("blobs/uploads/", null);
        start.EnsureSuccessStatusCode();
        var location = start.Headers.Location!;
        var upload = new UriBuilder(location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location));
        upload.Query = (upload.Query.Length > 1 ? upload.Query[1..] + "&" : "") + "digest=" + digest;
        using var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new("application/octet-stream");
        using var put = await http.PutAsync(upload.Uri, content);
        put.EnsureSuccessStatusCode();
        return digest;
    }

    private static async Task PutManifestAsync(HttpClient http, string reference, string manifest, string mediaType)
    {
        using var content = new StringContent(manifest, Encoding.UTF8);
        content.Headers.ContentType = new(mediaType);
        using var put = await http.PutAsync("manifests/" + reference, content);
        Assert.True(put.IsSuccessStatusCode, $"PUT manifests/{reference}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
    }

    private static async Task RunAsync(System.Diagnostics.ProcessStartInfo start)
    {
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    /// <summary>Accepts connections and never answers: a registry that hangs.</summary>
    private void StartHanging()
    {
        _hanging = new TcpListener(IPAddress.Loopback, 0);
        _hanging.Start();
        HangingHost = $"127.0.0.1:{((IPEndPoint)_hanging.LocalEndpoint).Port}";
        _accepting = new CancellationTokenSource();
        var token = _accepting.Token;
        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var socket = await _hanging.AcceptSocketAsync(token);
                    lock (_held)
                    {
                        _held.Add(socket);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }, token);
    }
}
