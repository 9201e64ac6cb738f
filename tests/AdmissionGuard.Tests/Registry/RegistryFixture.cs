using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Registry;

/// <summary>
/// Real registries on loopback, started once for the registry tests: plain HTTP, TLS with a test CA,
/// and TLS + htpasswd basic auth (distribution refuses htpasswd without TLS). Images are built with
/// umoci and pushed with skopeo, including a two-platform index.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string User = "puller";
    public const string Password = "s3cret-pass";

    private readonly List<RegistryProcess> _processes = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ag-registry-" + Guid.NewGuid().ToString("N")[..8]);

    public RegistryProcess Plain { get; private set; } = null!;

    public RegistryProcess Tls { get; private set; } = null!;

    public RegistryProcess Auth { get; private set; } = null!;

    public string CaFile => Certificates.CaFile;

    internal TestCertificates Certificates { get; private set; } = null!;

    /// <summary>Digest of the single-platform manifest pushed as <c>library/nginx:1.25</c>, as skopeo reads it back.</summary>
    public string NginxDigest { get; private set; } = "";

    public string HardenedDigest { get; private set; } = "";

    /// <summary>Digest of <c>private/app:1-hardened</c> in the registry that needs a login.</summary>
    public string AuthHardenedDigest { get; private set; } = "";

    /// <summary>Digest of the index pushed as <c>library/multi:1</c>.</summary>
    public string IndexDigest { get; private set; } = "";

    public IReadOnlyList<string> PlatformDigests { get; private set; } = [];

    public string PlainStorage => Path.Combine(Directory, "plain-data");

    public async Task InitializeAsync()
    {
        TestTools.RequireTools();
        System.IO.Directory.CreateDirectory(Directory);
        Certificates = TestCertificates.Create(Directory);
        var htpasswd = Path.Combine(Directory, "htpasswd");
        // distribution accepts only bcrypt entries.
        await File.WriteAllTextAsync(htpasswd, await TestTools.RunAsync("htpasswd", "-Bbn", User, Password));

        Plain = Track(await RegistryProcess.StartAsync(Directory, "plain", PlainStorage, null, null));
        Tls = Track(await RegistryProcess.StartAsync(Directory, "tls", Path.Combine(Directory, "tls-data"), Certificates, null));
        Auth = Track(await RegistryProcess.StartAsync(Directory, "auth", Path.Combine(Directory, "auth-data"), Certificates, htpasswd));

        var layout = Path.Combine(Directory, "oci");
        await TestTools.RunAsync("umoci", "init", "--layout", layout);
        // Distinct configs give distinct digests without building layers.
        foreach (var (tag, arch) in new[] { ("amd", "amd64"), ("arm", "arm64"), ("hardened", "amd64") })
        {
            await TestTools.RunAsync("umoci", "new", "--image", $"{layout}:{tag}");
            await TestTools.RunAsync("umoci", "config", "--image", $"{layout}:{tag}", "--config.label", "variant=" + tag,
                "--architecture", arch, "--os", "linux");
        }

        PlatformDigests = await WriteIndexAsync(layout, "multi", ["amd", "arm"]);

        await PushAsync(layout, "amd", $"docker://{Plain.Host}/library/nginx:1.25");
        await PushAsync(layout, "hardened", $"docker://{Plain.Host}/library/nginx:1.25-hardened");
        await PushAsync(layout, "multi", $"docker://{Plain.Host}/library/multi:1", "--all");
        await PushAsync(layout, "amd", $"docker://{Tls.Host}/library/nginx:1.25");
        await PushAsync(layout, "amd", $"docker://{Auth.Host}/private/app:1", "--dest-creds", $"{User}:{Password}");
        await PushAsync(layout, "hardened", $"docker://{Auth.Host}/private/app:1-hardened", "--dest-creds", $"{User}:{Password}");

        NginxDigest = await RawDigestAsync($"docker://{Plain.Host}/library/nginx:1.25");
        HardenedDigest = await RawDigestAsync($"docker://{Plain.Host}/library/nginx:1.25-hardened");
        IndexDigest = await RawDigestAsync($"docker://{Plain.Host}/library/multi:1");
        AuthHardenedDigest = await RawDigestAsync($"docker://{Auth.Host}/private/app:1-hardened", "--creds", $"{User}:{Password}");
    }

    /// <summary>A second registry serving the plain registry's storage, for tests that stop it.</summary>
    public async Task<RegistryProcess> StartDisposableAsync(string name) =>
        Track(await RegistryProcess.StartAsync(Directory, name, PlainStorage, null, null));

    public Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }

    private RegistryProcess Track(RegistryProcess process)
    {
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private static Task<string> PushAsync(string layout, string tag, string destination, params string[] extra) =>
        TestTools.RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", .. extra, $"oci:{layout}:{tag}", destination]);

    private static async Task<string> RawDigestAsync(string image, params string[] extra)
    {
        var raw = await TestTools.RunAsync("skopeo", ["inspect", "--raw", "--tls-verify=false", .. extra, image]);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw)));
    }

    /// <summary>
    /// umoci makes single manifests only; an OCI index over two of them is written into the layout by hand,
    /// as a blob plus a tagged entry in index.json, which <c>skopeo copy --all</c> pushes as a multi-arch image.
    /// </summary>
    private static async Task<IReadOnlyList<string>> WriteIndexAsync(string layout, string tag, string[] members)
    {
        var indexPath = Path.Combine(layout, "index.json");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(indexPath))!.AsObject();
        var manifests = index["manifests"]!.AsArray();
        var entries = new JsonArray();
        var digests = new List<string>();
        foreach (var member in members)
        {
            var entry = manifests.Single(m => m!["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == member)!;
            var config = JsonNode.Parse(await File.ReadAllTextAsync(BlobPath(layout, ManifestConfigDigest(layout, entry))))!;
            digests.Add(entry["digest"]!.GetValue<string>());
            entries.Add(new JsonObject
            {
                ["mediaType"] = entry["mediaType"]!.GetValue<string>(),
                ["digest"] = entry["digest"]!.GetValue<string>(),
                ["size"] = entry["size"]!.GetValue<long>(),
                ["platform"] = new JsonObject
                {
                    ["architecture"] = config["architecture"]!.GetValue<string>(),
                    ["os"] = config["os"]!.GetValue<string>(),
                },
            });
        }

        var body = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = entries,
        }.ToJsonString());
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        await File.WriteAllBytesAsync(BlobPath(layout, digest), body);
        manifests.Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["digest"] = digest,
            ["size"] = body.Length,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
        });
        await File.WriteAllTextAsync(indexPath, index.ToJsonString());
        return digests;
    }

    private static string ManifestConfigDigest(string layout, JsonNode entry)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(BlobPath(layout, entry["digest"]!.GetValue<string>())))!;
        return manifest["config"]!["digest"]!.GetValue<string>();
    }

    private static string BlobPath(string layout, string digest) =>
        Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
