using System.Collections.Concurrent;
using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace AdmissionGuard.Tests.Tracing;

/// <summary>
/// An OTLP trace receiver on loopback, as a collector speaks it: HTTP/protobuf (<c>POST /v1/traces</c>) and gRPC
/// (<c>TraceService/Export</c> over HTTP/2 cleartext), each body decoded as <c>ExportTraceServiceRequest</c> with the
/// official schema (Proto/). <see cref="Hold"/> makes it a collector that accepts connections but never answers.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedSpan> spans = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int requests;

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri HttpEndpoint { get; private set; } = null!;

    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>While true, export requests are read and then left unanswered (a collector that hangs).</summary>
    public bool Hold { get; set; }

    public int Requests => Volatile.Read(ref requests);

    public IReadOnlyCollection<ReceivedSpan> Spans => spans.ToArray();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.HttpAsync);
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", receiver.GrpcAsync);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        receiver.HttpEndpoint = new Uri(addresses[0]);
        receiver.GrpcEndpoint = new Uri(addresses[1]);
        return receiver;
    }

    /// <summary>Spans decoded so far that satisfy <paramref name="match"/>, waiting (bounded) until there are at least <paramref name="count"/>.</summary>
    public async Task<List<ReceivedSpan>> WaitForAsync(Func<ReceivedSpan, bool> match, int count = 1, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = spans.Where(match).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count >= count, $"expected {count} matching spans, received {found.Count} (of {spans.Count}: {string.Join(", ", spans.Select(s => s.Span.Name))})");
                return found;
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        release.TrySetResult();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task HttpAsync(HttpContext context)
    {
        var body = await ReadAsync(context);
        if (!await AcceptAsync(context, ExportTraceServiceRequest.Parser.ParseFrom(body)))
        {
            return;
        }

        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray());
    }

    private async Task GrpcAsync(HttpContext context)
    {
        // A unary gRPC message: 1 byte compressed flag (0), 4 bytes big-endian length, the protobuf message.
        var body = await ReadAsync(context);
        Assert.Equal(0, body[0]);
        var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4));
        if (!await AcceptAsync(context, ExportTraceServiceRequest.Parser.ParseFrom(body, 5, length)))
        {
            return;
        }

        var answer = new ExportTraceServiceResponse().ToByteArray();
        var framed = new byte[5 + answer.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1, 4), answer.Length);
        answer.CopyTo(framed, 5);
        context.Response.ContentType = "application/grpc";
        context.Response.AppendTrailer("grpc-status", "0");
        await context.Response.Body.WriteAsync(framed);
    }

    private async Task<bool> AcceptAsync(HttpContext context, ExportTraceServiceRequest request)
    {
        Interlocked.Increment(ref requests);
        if (Hold)
        {
            // Never answers until disposed or the exporter gives up (its timeout closes the request).
            await release.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return false;
        }

        foreach (var resource in request.ResourceSpans)
        {
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    spans.Enqueue(new ReceivedSpan(resource.Resource, scope.Scope, span));
                }
            }
        }

        return true;
    }

    private static async Task<byte[]> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

/// <summary>One span as the collector received it, with its resource and instrumentation scope.</summary>
public sealed record ReceivedSpan(OpenTelemetry.Proto.Resource.V1.Resource Resource, InstrumentationScope Scope, Span Span)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);

    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);

    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public AnyValue? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value;

    public string? String(string key) => Attribute(key)?.StringValue;

    public long? Int(string key) => Attribute(key) is { ValueCase: AnyValue.ValueOneofCase.IntValue } v ? v.IntValue : null;

    public string? ResourceString(string key) => Resource.Attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;

    public override string ToString() => $"{Span.Name} ({Span.Kind}) {SpanId} <- {ParentSpanId}";
}
