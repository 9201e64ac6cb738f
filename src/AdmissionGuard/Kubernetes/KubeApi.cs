using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Raw HTTP to the API server through KubernetesClient's configured HttpClient and credentials (TLS, token
/// refresh). Our own CRD types and watch streams go through here, decoded with the source-generated
/// context, which keeps the binary AOT-ready; typed core objects (Lease) use the client's own calls.
/// </summary>
internal sealed class KubeApi(k8s.Kubernetes client)
{
    private const int MaxErrorBody = 4096;

    public k8s.Kubernetes Client => client;

    /// <summary>GET a JSON document; a non-success status becomes a <see cref="KubeApiException"/>.</summary>
    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, pathAndQuery, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A JSON merge patch (RFC 7386), e.g. of a status subresource.</summary>
    public async Task MergePatchAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await SendAsync(HttpMethod.Patch, path, content, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// POST (create), PUT (replace) or PATCH with a JSON body of the given content type; returns the object
    /// the server answers with. A non-success status becomes a <see cref="KubeApiException"/> (409 on a
    /// resourceVersion conflict or an existing name).
    /// </summary>
    public async Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await SendAsync(method, path, content, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>DELETE one object; a non-success status (404 when it is already gone) becomes a <see cref="KubeApiException"/>.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a watch: one JSON object per line. Ends when the server closes the stream; a dropped
    /// connection surfaces as an <see cref="IOException"/>. An HTTP error status is a <see cref="KubeApiException"/>.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string pathAndQuery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, pathAndQuery, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                var obj = root.TryGetProperty("object", out var o) ? o.Clone() : default;
                yield return new WatchEvent(type, obj);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri.ToString().TrimEnd('/') + pathAndQuery)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // The generated calls add credentials per request, not in a handler; do the same.
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await client.HttpClient.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = body.Length > MaxErrorBody ? body[..MaxErrorBody] : body;
        try
        {
            using var status = JsonDocument.Parse(body);
            if (status.RootElement.ValueKind == JsonValueKind.Object && status.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                message = m.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not a Status object (a proxy's HTML page): the raw text is the best there is.
        }

        throw new KubeApiException((int)response.StatusCode, $"{(int)response.StatusCode} from {path.Split('?')[0]}: {message}") { ServerMessage = message };
    }
}
