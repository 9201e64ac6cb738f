using System.Collections.Concurrent;

namespace AdmissionGuard.Tests.Registry;

/// <summary>Counts requests that reach the transport, by method and URL.</summary>
internal sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ConcurrentQueue<string> Requests { get; } = new();

    public int ManifestRequests => Requests.Count(r => r.Contains("/manifests/", StringComparison.Ordinal));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        Requests.Enqueue($"{request.Method} {request.RequestUri}");
        return base.SendAsync(request, cancellationToken);
    }
}
