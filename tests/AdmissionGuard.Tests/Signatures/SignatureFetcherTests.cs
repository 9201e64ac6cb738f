using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Registry;
using AdmissionGuard.Tests.Registry;

namespace AdmissionGuard.Tests.Signatures;

/// <summary>
/// The OCI 1.1 referrers API proper (the Debian registry has none, so a loopback stub serves it): listings are read from
/// <c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c> without falling back to the tag, and a huge listing is a stated problem.
/// </summary>
public sealed class SignatureFetcherTests
{
    private static readonly string Digest = "sha256:" + new string('b', 64);
    private const string BundleType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    private static string Sha(byte[] body) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));

    private static async Task<(AdmissionGuard.Signatures.SignatureMaterial? Material, ConcurrentQueue<string> Paths)> FetchAsync(Dictionary<string, byte[]> bodies)
    {
        var paths = new ConcurrentQueue<string>();
        using var stub = new StubRegistry(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            paths.Enqueue(path);
            if (bodies.TryGetValue(path, out var body))
            {
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.Close();
        });
        var options = new RegistryOptions { InsecureRegistries = [stub.Host] };
        using var client = new OciRegistryClient(options, RegistryCredentials.None, TimeProvider.System);
        var fetcher = new SignatureFetcher(client, options, new SignatureOptions());
        Assert.True(ManifestReference.TryParse($"{stub.Host}/team/app@{Digest}", out var reference));

        var (material, failure, _) = await fetcher.FetchAsync(reference, reference, Digest, null, CancellationToken.None);

        Assert.Null(failure);
        return (material, paths);
    }

    private static byte[] Index(int entries, string manifestDigest)
    {
        var manifests = new JsonArray();
        for (var i = 0; i < entries; i++)
        {
            manifests.Add(new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = manifestDigest, ["size"] = 1, ["artifactType"] = BundleType });
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = manifests }.ToJsonString());
    }

    [Fact]
    public async Task FetchAsync_ReferrersApiListsABundle_ReadsItWithoutTheIndexTag()
    {
        var bundle = Encoding.UTF8.GetBytes("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}""");
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = BundleType, ["digest"] = Sha(bundle), ["size"] = bundle.Length }),
        }.ToJsonString());
        var image = "{}"u8.ToArray();
        var bodies = new Dictionary<string, byte[]>
        {
            [$"/v2/team/app/referrers/{Digest}"] = Index(1, Sha(manifest)),
            [$"/v2/team/app/manifests/{Sha(manifest)}"] = manifest,
            [$"/v2/team/app/blobs/{Sha(bundle)}"] = bundle,
            [$"/v2/team/app/manifests/{Digest}"] = image,
        };

        var (material, paths) = await FetchAsync(bodies);

        Assert.Equal(bundle, Assert.Single(material!.Bundles));
        Assert.Empty(material.Problems);
        Assert.DoesNotContain($"/v2/team/app/manifests/{Digest.Replace(':', '-')}", paths);
    }

    [Fact]
    public async Task FetchAsync_ReferrersApiListsTenThousandBundles_SaysSoAndReadsNone()
    {
        var bodies = new Dictionary<string, byte[]> { [$"/v2/team/app/referrers/{Digest}"] = Index(10_000, "sha256:" + new string('c', 64)) };

        var (material, paths) = await FetchAsync(bodies);

        Assert.Equal("10000 Sigstore bundles are attached, more than the 32 examined", Assert.Single(material!.Problems));
        Assert.Empty(material.Bundles);
        Assert.DoesNotContain(paths, p => p.Contains("/manifests/sha256:cccc", StringComparison.Ordinal));
    }
}
