using System.Net;
using System.Security.Cryptography;
using System.Text;
using AdmissionGuard.Registry;
using AdmissionGuard.Signatures;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// Signature verification, cold and warm. Cold: an empty cache fetches a cosign <c>.sig</c> (manifest, payload blob,
/// the <c>.att</c>, referrers and index-tag probes) through the real registry client from an in-memory handler, verifies
/// ECDSA P-256, and stores the answer. Warm: what every later admission pays, a cache read. No network: the figures
/// are the CPU cost that AdmissionGuard adds on top of registry round trips.
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private const string Repository = "registry.example.com/team/app";
    private static readonly string Digest = "sha256:" + new string('a', 64);

    private SignatureQuery query;
    private Dictionary<string, byte[]> responses = [];
    private SignatureFactCache warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (!VerificationKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out var key, out var error))
        {
            throw new InvalidOperationException(error);
        }

        query = new SignatureQuery(Repository, Repository, Digest, new SignatureRequirement([new TrustedKey("team", key, null)], false));
        var payload = Encoding.UTF8.GetBytes($$"""{"critical":{"identity":{"docker-reference":"{{Repository}}"},"image":{"docker-manifest-digest":"{{Digest}}"},"type":"cosign container image signature"},"optional":null}""");
        var signature = Convert.ToBase64String(ecdsa.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var payloadDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));
        var manifest = $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":{{{payload.Length}}},"digest":"{{{payloadDigest}}}","annotations":{"dev.cosignproject.cosign/signature":"{{{signature}}}"}}]}""";
        responses = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [$"/v2/team/app/manifests/{Digest.Replace(':', '-')}.sig"] = Encoding.UTF8.GetBytes(manifest),
            [$"/v2/team/app/blobs/{payloadDigest}"] = payload,
        };
        warm = NewCache();
        warm.EnsureAllAsync([(query, null)], TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();
        if (warm.Lookup(query, null).State != SignatureState.Verified)
        {
            throw new InvalidOperationException("setup: the signature did not verify");
        }
    }

    [Benchmark]
    public async Task<SignatureState> Cold()
    {
        using var cache = NewCache();
        await cache.EnsureAllAsync([(query, null)], TimeSpan.FromSeconds(10), CancellationToken.None);
        return cache.Lookup(query, null).State;
    }

    [Benchmark(Baseline = true)]
    public SignatureState Warm() => warm.Lookup(query, null).State;

    private SignatureFactCache NewCache()
    {
        var options = new RegistryOptions();
        var client = new OciRegistryClient(options, RegistryCredentials.None, TimeProvider.System, new MemoryRegistry(responses));
        return new SignatureFactCache(new SignatureFetcher(client, options, new SignatureOptions()), new SignatureOptions(), options, NoSecretKeys.Instance, TimeProvider.System);
    }

    /// <summary>Serves fixed bodies by path; everything else is 404, as a registry without those tags answers.</summary>
    private sealed class MemoryRegistry(Dictionary<string, byte[]> bodies) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(bodies.TryGetValue(request.RequestUri!.AbsolutePath, out var body)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
