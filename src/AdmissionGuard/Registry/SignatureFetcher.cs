using System.Text.Json;
using AdmissionGuard.Images;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Registry;

/// <summary>
/// Fetches what may sign one image digest: cosign's tag scheme (<c>sha256-&lt;hex&gt;.sig</c>, <c>.att</c>) and Sigstore
/// bundles attached as OCI 1.1 referrers (<c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, else the <c>sha256-&lt;hex&gt;</c>
/// index tag). Everything is bounded and returned as raw bytes; trust is decided by <see cref="SignatureVerifier"/>.
/// </summary>
internal sealed class SignatureFetcher(OciRegistryClient client, RegistryOptions registry, SignatureOptions options)
{
    internal const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    internal const string BundleAnnotation = "dev.sigstore.cosign/bundle";

    /// <summary>The material, or null with the failure when the registry could not be asked.</summary>
    public async Task<(SignatureMaterial? Material, string? Failure, bool HostFailure)> FetchAsync(
        ManifestReference signatures, ManifestReference image, string digest, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var tag = digest.Replace(':', '-');
        var problems = new List<string>();
        var sig = await CosignLayersAsync(signatures, tag + ".sig", credential, problems, cancellationToken).ConfigureAwait(false);
        if (sig.Failure is not null)
        {
            return (null, sig.Failure, sig.HostFailure);
        }

        var att = await CosignLayersAsync(signatures, tag + ".att", credential, problems, cancellationToken).ConfigureAwait(false);
        if (att.Failure is not null)
        {
            return (null, att.Failure, att.HostFailure);
        }

        var bundles = await BundlesAsync(signatures, digest, tag, credential, problems, cancellationToken).ConfigureAwait(false);
        if (bundles.Failure is not null)
        {
            return (null, bundles.Failure, bundles.HostFailure);
        }

        // A message signature signs the manifest itself, which lives with the image (not where signatures are kept).
        byte[]? manifest = null;
        if (bundles.Layers.Count != 0)
        {
            var body = await client.GetAsync(image, "manifests/" + digest, registry.MaxManifestBytes, credential, cancellationToken).ConfigureAwait(false);
            if (body.Failure is not null)
            {
                return (null, body.Failure, body.HostFailure);
            }

            manifest = body.Body;
        }

        return (new SignatureMaterial(manifest, sig.Layers, att.Layers, bundles.Layers, problems), null, false);
    }

    private async Task<Fetched<CosignLayer>> CosignLayersAsync(ManifestReference repository, string tag, RegistryCredential? credential, List<string> problems, CancellationToken cancellationToken)
    {
        var manifest = await client.GetAsync(repository, "manifests/" + tag, registry.MaxManifestBytes, credential, cancellationToken).ConfigureAwait(false);
        if (manifest.Failure is not null)
        {
            return Fetched<CosignLayer>.Fail(manifest);
        }

        if (!manifest.IsOk)
        {
            if (manifest.TooLarge)
            {
                problems.Add($"the {tag} manifest is larger than {registry.MaxManifestBytes} bytes");
            }

            return Fetched<CosignLayer>.None;
        }

        var layers = new List<CosignLayer>();
        var descriptors = Descriptors(manifest.Body!, "layers", out var count);
        if (count < 0)
        {
            problems.Add($"the {tag} manifest is not an OCI manifest");
        }
        else if (count > options.MaxCandidates)
        {
            problems.Add($"{tag} has {count} layers, more than the {options.MaxCandidates} examined");
            return Fetched<CosignLayer>.None;
        }

        foreach (var descriptor in descriptors)
        {
            var blob = await BlobAsync(repository, descriptor.Digest, credential, problems, cancellationToken).ConfigureAwait(false);
            if (blob.Failure is not null)
            {
                return Fetched<CosignLayer>.Fail(blob);
            }

            if (blob.Body is { } bytes)
            {
                layers.Add(new CosignLayer(bytes, descriptor.Annotation(SignatureAnnotation), descriptor.Annotation(BundleAnnotation)));
            }
        }

        return new Fetched<CosignLayer>(layers, null, false);
    }

    private async Task<Fetched<byte[]>> BundlesAsync(ManifestReference repository, string digest, string tag, RegistryCredential? credential, List<string> problems, CancellationToken cancellationToken)
    {
        var listing = await client.GetAsync(repository, "referrers/" + digest, registry.MaxManifestBytes, credential, cancellationToken).ConfigureAwait(false);
        if (listing.IsNotFound)
        {
            // Registries without the referrers API: the OCI 1.1 fallback keeps the same index under a digest tag.
            listing = await client.GetAsync(repository, "manifests/" + tag, registry.MaxManifestBytes, credential, cancellationToken).ConfigureAwait(false);
        }

        if (listing.Failure is not null)
        {
            return Fetched<byte[]>.Fail(listing);
        }

        if (!listing.IsOk)
        {
            if (listing.TooLarge)
            {
                problems.Add($"the referrers listing is larger than {registry.MaxManifestBytes} bytes");
            }

            return Fetched<byte[]>.None;
        }

        var bundles = Descriptors(listing.Body!, "manifests", out var listed)
            .Where(d => d.ArtifactType is { } type && SignatureVerifier.BundleMediaTypes.Contains(type, StringComparer.Ordinal))
            .ToList();
        if (listed < 0)
        {
            problems.Add("the referrers listing is not an OCI index");
        }
        else if (bundles.Count > options.MaxCandidates)
        {
            problems.Add($"{bundles.Count} Sigstore bundles are attached, more than the {options.MaxCandidates} examined");
            return Fetched<byte[]>.None;
        }

        var found = new List<byte[]>();
        foreach (var referrer in bundles)
        {
            var manifest = await client.GetAsync(repository, "manifests/" + referrer.Digest, registry.MaxManifestBytes, credential, cancellationToken).ConfigureAwait(false);
            if (manifest.Failure is not null)
            {
                return Fetched<byte[]>.Fail(manifest);
            }

            if (!manifest.IsOk || !Matches(manifest.Body!, referrer.Digest))
            {
                problems.Add($"referrer {referrer.Digest} could not be read or does not match its digest");
                continue;
            }

            foreach (var layer in Descriptors(manifest.Body!, "layers", out _).Take(1))
            {
                var blob = await BlobAsync(repository, layer.Digest, credential, problems, cancellationToken).ConfigureAwait(false);
                if (blob.Failure is not null)
                {
                    return Fetched<byte[]>.Fail(blob);
                }

                if (blob.Body is { } bytes)
                {
                    found.Add(bytes);
                }
            }
        }

        return new Fetched<byte[]>(found, null, false);
    }

    private async Task<RegistryBody> BlobAsync(ManifestReference repository, string digest, RegistryCredential? credential, List<string> problems, CancellationToken cancellationToken)
    {
        var blob = await client.GetAsync(repository, "blobs/" + digest, options.MaxBlobBytes, credential, cancellationToken).ConfigureAwait(false);
        if (blob.TooLarge)
        {
            problems.Add($"a signature blob is larger than {options.MaxBlobBytes} bytes");
            return blob with { TooLarge = false };
        }

        if (blob.IsOk && !Matches(blob.Body!, digest))
        {
            problems.Add($"blob {digest} does not match its digest");
            return blob with { Body = null };
        }

        if (blob.IsNotFound)
        {
            problems.Add($"blob {digest} is missing");
        }

        return blob;
    }

    private static bool Matches(byte[] body, string digest) => Digests.IsValid(digest) && Digests.Compute(body, digest) == digest;

    /// <summary>The descriptors of an OCI manifest's <c>layers</c> or an index's <c>manifests</c>; a malformed document has none.</summary>
    private static List<Descriptor> Descriptors(byte[] document, string property, out int count)
    {
        var result = new List<Descriptor>();
        count = 0;
        try
        {
            using var json = JsonDocument.Parse(document);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                count = -1;
                return result;
            }

            if (!json.RootElement.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            count = list.GetArrayLength();
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("digest", out var d) || d.ValueKind != JsonValueKind.String || !Digests.IsValid(d.GetString()))
                {
                    continue;
                }

                Dictionary<string, string>? annotations = null;
                if (item.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
                {
                    annotations = [];
                    foreach (var p in a.EnumerateObject())
                    {
                        if (p.Value.ValueKind == JsonValueKind.String)
                        {
                            annotations[p.Name] = p.Value.GetString()!;
                        }
                    }
                }

                var artifactType = item.TryGetProperty("artifactType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                result.Add(new Descriptor(d.GetString()!, artifactType, annotations));
            }
        }
        catch (JsonException)
        {
            count = -1;
        }

        return result;
    }

    private sealed record Descriptor(string Digest, string? ArtifactType, Dictionary<string, string>? Annotations)
    {
        public string? Annotation(string name) => Annotations is not null && Annotations.TryGetValue(name, out var value) ? value : null;
    }

    private sealed record Fetched<T>(IReadOnlyList<T> Layers, string? Failure, bool HostFailure)
    {
        public static readonly Fetched<T> None = new([], null, false);

        public static Fetched<T> Fail(RegistryBody body) => new([], body.Failure, body.HostFailure);
    }
}
