using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AdmissionGuard.Images;

namespace AdmissionGuard.Registry;

/// <summary>
/// Resolves a reference to (exists?, digest) with the OCI distribution API: HEAD the manifest, GET when
/// HEAD does not tell the digest. Registry answers are data: sizes, redirects and time are bounded, a
/// digest is checked for shape and, when the body is read, against the body.
/// </summary>
internal sealed class OciRegistryClient : IManifestResolver, IDisposable
{
    /// <summary>
    /// Index and list first: a multi-arch tag must resolve to the index digest (what <c>docker pull</c>
    /// pins), never to the one platform manifest a registry would pick for a client that cannot take lists.
    /// </summary>
    internal static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    private readonly HttpClient _http;
    private readonly RegistryOptions _options;
    private readonly RegistryCredentials _credentials;
    private readonly TimeProvider _time;

    // Bearer tokens by realm|service|scope|user, so one token serves every lookup in a repository until it expires.
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);

    // The last challenge of each registry, so later requests authenticate up front instead of paying a 401 each.
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);

    public OciRegistryClient(RegistryOptions options, RegistryCredentials credentials, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _options = options;
        _credentials = credentials;
        _time = time;
        _http = new HttpClient(handler ?? RegistryHttpHandler.Create(options), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own timeout, see SendOnceAsync
        };
    }

    /// <summary>How many bearer tokens were fetched (not served from the token cache).</summary>
    internal int TokenFetches => _tokenFetches;

    private int _tokenFetches;

    public void Dispose() => _http.Dispose();

    public async Task<RegistryLookupResult> ResolveAsync(ManifestReference reference, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        // A workload's pull secret, else the configured docker config's entry for this repository, else anonymous.
        credential ??= _credentials.Find(reference.Registry, reference.Repository);
        try
        {
            var uri = ManifestUri(reference);
            using (var head = await SendAuthenticatedAsync(HttpMethod.Head, uri, reference, credential, cancellationToken).ConfigureAwait(false))
            {
                var early = Classify(head.Response, head.Failure);
                if (early is not null)
                {
                    return early;
                }

                if (head.Response!.IsSuccessStatusCode)
                {
                    var digest = HeaderDigest(head.Response);
                    if (digest is not null)
                    {
                        return CheckRequested(reference, digest);
                    }
                }

                // Anything else (no digest header, 405 on HEAD, odd 4xx): the GET below is the authority.
            }

            using var get = await SendAuthenticatedAsync(HttpMethod.Get, uri, reference, credential, cancellationToken).ConfigureAwait(false);
            var classified = Classify(get.Response, get.Failure);
            if (classified is not null)
            {
                return classified;
            }

            var response = get.Response!;
            if (!response.IsSuccessStatusCode)
            {
                return RegistryLookupResult.Refused($"registry answered {(int)response.StatusCode}");
            }

            var body = await ReadBoundedAsync(response.Content, _options.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return RegistryLookupResult.Refused($"manifest larger than {_options.MaxManifestBytes} bytes");
            }

            var header = HeaderDigest(response);
            var computed = Digests.Compute(body, header ?? (reference.IsDigest ? reference.Reference : null));
            if (header is not null && header != computed)
            {
                return RegistryLookupResult.Refused("Docker-Content-Digest does not match the manifest body");
            }

            return CheckRequested(reference, computed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RegistryLookupResult.Failed($"timed out after {_options.RequestTimeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException e)
        {
            return RegistryLookupResult.Failed("network: " + Flatten(e));
        }
        catch (IOException e)
        {
            return RegistryLookupResult.Failed("network: " + e.Message);
        }
    }

    /// <summary>
    /// A GET of <c>/v2/&lt;repository&gt;/&lt;path&gt;</c> (a signature manifest, a blob, a referrers listing) with the same
    /// credentials, token handling, redirect and scheme rules and timeouts as manifest lookups, read up to <paramref name="limit"/> bytes.
    /// </summary>
    internal async Task<RegistryBody> GetAsync(ManifestReference repository, string path, int limit, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        credential ??= _credentials.Find(repository.Registry, repository.Repository);
        try
        {
            var scheme = _options.IsInsecure(repository.Registry) ? "http" : "https";
            var uri = new Uri($"{scheme}://{HttpHost(repository.Registry)}/v2/{repository.Repository}/{path}");
            using var sent = await SendAuthenticatedAsync(HttpMethod.Get, uri, repository, credential, cancellationToken).ConfigureAwait(false);
            if (sent.Failure is not null)
            {
                return RegistryBody.Failed(sent.Failure, hostFailure: false);
            }

            var response = sent.Response!;
            var status = (int)response.StatusCode;
            switch (status)
            {
                case 404:
                    return new RegistryBody(404, null, null, null, false, false);
                case 401 or 403:
                    return RegistryBody.Failed($"registry refused access ({status})", hostFailure: false);
                case 429 or >= 500:
                    return RegistryBody.Failed($"registry error ({status})", hostFailure: true);
                case < 200 or >= 300:
                    return RegistryBody.Failed($"registry answered {status}", hostFailure: false);
            }

            var body = await ReadBoundedAsync(response.Content, limit, cancellationToken).ConfigureAwait(false);
            return body is null
                ? new RegistryBody(status, null, null, null, false, TooLarge: true)
                : new RegistryBody(status, body, HeaderDigest(response), null, false, false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RegistryBody.Failed($"timed out after {_options.RequestTimeout.TotalSeconds:0.###}s", hostFailure: true);
        }
        catch (HttpRequestException e)
        {
            return RegistryBody.Failed("network: " + Flatten(e), hostFailure: true);
        }
        catch (IOException e)
        {
            return RegistryBody.Failed("network: " + e.Message, hostFailure: true);
        }
    }

    private Uri ManifestUri(ManifestReference reference)
    {
        var scheme = _options.IsInsecure(reference.Registry) ? "http" : "https";
        return new Uri($"{scheme}://{HttpHost(reference.Registry)}/v2/{reference.Repository}/manifests/{reference.Reference}");
    }

    /// <summary>Docker Hub is named docker.io in references but served from registry-1.docker.io.</summary>
    internal static string HttpHost(string registry) =>
        string.Equals(registry, "docker.io", StringComparison.OrdinalIgnoreCase) ? "registry-1.docker.io" : registry;

    private static RegistryLookupResult? Classify(HttpResponseMessage? response, string? failure)
    {
        if (failure is not null)
        {
            return RegistryLookupResult.Refused(failure);
        }

        var status = (int)response!.StatusCode;
        return status switch
        {
            404 => RegistryLookupResult.Missing(),
            401 or 403 => RegistryLookupResult.Refused($"registry refused access ({status})"),
            429 => RegistryLookupResult.Failed("rate limited (429)"),
            >= 500 => RegistryLookupResult.Failed($"registry error ({status})"),
            >= 300 and < 400 => RegistryLookupResult.Refused($"unfollowed redirect ({status})"),
            _ => null,
        };
    }

    private static string? HeaderDigest(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values)
        && values.FirstOrDefault() is { } value && Digests.IsValid(value.Trim())
            ? value.Trim()
            : null;

    // Asked by digest: the answer must be that digest, or the registry served something else.
    private static RegistryLookupResult CheckRequested(ManifestReference reference, string digest) =>
        reference.IsDigest && !string.Equals(reference.Reference, digest, StringComparison.Ordinal)
            ? RegistryLookupResult.Refused("registry answered a different digest than asked for")
            : RegistryLookupResult.Exists(digest);

    private async Task<Sent> SendAuthenticatedAsync(HttpMethod method, Uri uri, ManifestReference reference, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var authorization = await KnownAuthorizationAsync(reference, credential, cancellationToken).ConfigureAwait(false);
        var sent = await SendFollowingRedirectsAsync(method, uri, authorization, cancellationToken).ConfigureAwait(false);
        if (sent.Response?.StatusCode != HttpStatusCode.Unauthorized)
        {
            return sent;
        }

        var challenge = AuthChallenge.From(sent.Response.Headers.WwwAuthenticate);
        if (challenge is null)
        {
            return sent;
        }

        _challenges[reference.Registry] = challenge;
        AuthenticationHeaderValue? retry;
        if (challenge.IsBearer)
        {
            // A cached token was just refused (revoked, clock skew): fetch a fresh one, once.
            var token = await FetchTokenAsync(challenge, reference, credential, forceRefresh: authorization is not null, cancellationToken).ConfigureAwait(false);
            if (token.Failure is not null)
            {
                sent.Dispose();
                return new Sent(null, token.Failure);
            }

            retry = new AuthenticationHeaderValue("Bearer", token.Token);
        }
        else
        {
            if (credential is null || authorization is not null)
            {
                return sent; // nothing (else) to offer: the 401 stands
            }

            retry = Basic(credential);
        }

        sent.Dispose();
        return await SendFollowingRedirectsAsync(method, uri, retry, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuthenticationHeaderValue?> KnownAuthorizationAsync(ManifestReference reference, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        if (!_challenges.TryGetValue(reference.Registry, out var challenge))
        {
            return null;
        }

        if (challenge.IsBasic)
        {
            return credential is null ? null : Basic(credential);
        }

        if (_tokens.TryGetValue(TokenKey(challenge, reference, credential), out var cached) && cached.ExpiresAt > _time.GetUtcNow())
        {
            return new AuthenticationHeaderValue("Bearer", cached.Token);
        }

        var token = await FetchTokenAsync(challenge, reference, credential, forceRefresh: false, cancellationToken).ConfigureAwait(false);
        return token.Token is null ? null : new AuthenticationHeaderValue("Bearer", token.Token);
    }

    // The credential's id, not its user name: two pull secrets of one user with different tokens must not share.
    private static string TokenKey(AuthChallenge challenge, ManifestReference reference, RegistryCredential? credential) =>
        $"{challenge.Realm}|{challenge.Service}|{Scope(reference)}|{credential?.Id}";

    // The scope is ours, not the challenge's: we ask only to pull the repository we are looking at.
    private static string Scope(ManifestReference reference) => $"repository:{reference.Repository}:pull";

    private async Task<TokenResult> FetchTokenAsync(AuthChallenge challenge, ManifestReference reference, RegistryCredential? credential, bool forceRefresh, CancellationToken cancellationToken)
    {
        var key = TokenKey(challenge, reference, credential);
        var now = _time.GetUtcNow();
        if (!forceRefresh && _tokens.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            return new TokenResult(cached.Token, null);
        }

        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || !SchemeAllowed(realm))
        {
            return new TokenResult(null, "token realm is not an allowed https URL");
        }

        var query = new StringBuilder(realm.Query.Length == 0 ? "?" : realm.Query + "&");
        if (!string.IsNullOrEmpty(challenge.Service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(challenge.Service)).Append('&');
        }

        query.Append("scope=").Append(Uri.EscapeDataString(Scope(reference)));
        var tokenUri = new UriBuilder(realm) { Query = query.ToString().TrimStart('?') }.Uri;
        Interlocked.Increment(ref _tokenFetches);
        using var sent = await SendFollowingRedirectsAsync(HttpMethod.Get, tokenUri, credential is null ? null : Basic(credential), cancellationToken).ConfigureAwait(false);
        if (sent.Failure is not null)
        {
            return new TokenResult(null, sent.Failure);
        }

        if (!sent.Response!.IsSuccessStatusCode)
        {
            return new TokenResult(null, $"token service refused ({(int)sent.Response.StatusCode})");
        }

        var body = await ReadBoundedAsync(sent.Response.Content, _options.MaxTokenBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return new TokenResult(null, $"token response larger than {_options.MaxTokenBytes} bytes");
        }

        string? token;
        var lifetime = TimeSpan.FromSeconds(60); // the distribution spec's default when expires_in is absent
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            token = (root.TryGetProperty("token", out var t) ? t.GetString() : null)
                ?? (root.TryGetProperty("access_token", out var a) ? a.GetString() : null);
            if (root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0)
            {
                lifetime = TimeSpan.FromSeconds(Math.Min(seconds, 3600));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return new TokenResult(null, "token response is not JSON");
        }

        if (string.IsNullOrEmpty(token))
        {
            return new TokenResult(null, "token response has no token");
        }

        // Renew a little early so a token does not expire between the cache check and the request.
        _tokens[key] = new CachedToken(token, now + lifetime * 0.9);
        return new TokenResult(token, null);
    }

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Password)));

    private bool SchemeAllowed(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps
        || (uri.Scheme == Uri.UriSchemeHttp && _options.IsInsecure(uri.IsDefaultPort ? uri.Host : uri.Authority));

    private async Task<Sent> SendFollowingRedirectsAsync(HttpMethod method, Uri uri, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        var origin = uri;
        for (var hop = 0; ; hop++)
        {
            if (!SchemeAllowed(uri))
            {
                return new Sent(null, $"refusing {uri.Scheme} to {uri.Authority}: plain HTTP only for registries listed as insecure");
            }

            // Credentials go only where they were meant for: a redirect to another host (a CDN) gets none.
            var sameOrigin = Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
            var response = await SendOnceAsync(method, uri, sameOrigin ? authorization : null, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null)
            {
                return new Sent(response, null);
            }

            var location = response.Headers.Location;
            response.Dispose();
            if (hop >= _options.MaxRedirects)
            {
                return new Sent(null, $"more than {_options.MaxRedirects} redirects");
            }

            uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri uri, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        request.Headers.Authorization = authorization;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        // Headers only: the body is read later under a size limit, within the caller's token.
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> (read no further than that).</summary>
    internal async Task<byte[]?> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            return null;
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stream = await content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadAsync(chunk, linked.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
    }

    private static string Flatten(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message += ": " + inner.Message;
        }

        return message;
    }

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);

    private readonly record struct TokenResult(string? Token, string? Failure);

    /// <summary>A response, or why there is none (a rule refused the request).</summary>
    private readonly record struct Sent(HttpResponseMessage? Response, string? Failure) : IDisposable
    {
        public void Dispose() => Response?.Dispose();
    }
}
