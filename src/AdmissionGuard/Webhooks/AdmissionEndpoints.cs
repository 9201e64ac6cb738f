using System.Buffers;
using System.Diagnostics;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Webhooks;

/// <summary>HTTP around <see cref="AdmissionHandler"/>: method, content type and size checks, then encode.</summary>
internal static class AdmissionEndpoints
{
    public static IEndpointRouteBuilder MapAdmissionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/validate", (HttpContext context) => HandleAsync(context, EvaluationPurpose.Validate));
        app.MapPost("/mutate", (HttpContext context) => HandleAsync(context, EvaluationPurpose.Mutate));
        app.MapPost("/validate-policy", HandlePolicyAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (AdmissionStateStore store, Readiness readiness) =>
            readiness.IsReady(store.Current) ? Results.Text("ready") : Results.Text(readiness.Reason(store.Current), statusCode: 503));
        return app;
    }

    private static Task HandleAsync(HttpContext context, EvaluationPurpose purpose) =>
        HandleAsync(context, purpose == EvaluationPurpose.Mutate ? "mutate" : "validate",
            (body, cancellationToken) => context.RequestServices.GetRequiredService<AdmissionHandler>().HandleAsync(body, purpose, cancellationToken));

    private static Task HandlePolicyAsync(HttpContext context) =>
        HandleAsync(context, "validate-policy", (body, _) => Task.FromResult(context.RequestServices.GetRequiredService<PolicyAdmissionHandler>().Handle(body)));

    /// <summary>The same content type, size limits and encoding for every admission endpoint; <paramref name="handle"/> decides.</summary>
    private static async Task HandleAsync(HttpContext context, string webhook, Func<ReadOnlyMemory<byte>, CancellationToken, Task<AdmissionResult>> handle)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = Tracing.StartAdmission(webhook, context.Request.Headers);
        var services = context.RequestServices;
        var options = services.GetRequiredService<WebhookOptions>();
        var metrics = services.GetRequiredService<AdmissionMetrics>();
        var result = await ReadAndHandleAsync(context, options, handle).ConfigureAwait(false);

        var response = context.Response;
        response.StatusCode = result.StatusCode;
        if (result.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await DiscardRestOfBodyAsync(context).ConfigureAwait(false);
        }

        if (result.Review is not null)
        {
            response.ContentType = "application/json";
            var bytes = AdmissionHandler.Encode(result.Review);
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(result.Error + "\n", context.RequestAborted).ConfigureAwait(false);
        }

        if (activity is { IsAllDataRequested: true })
        {
            Tracing.Answered(activity, result.StatusCode, result.Kind, result.Operation, result.Decision);
        }

        metrics.Request(webhook, result.Kind, result.Operation, result.Decision, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<AdmissionResult> ReadAndHandleAsync(HttpContext context, WebhookOptions options, Func<ReadOnlyMemory<byte>, CancellationToken, Task<AdmissionResult>> handle)
    {
        var request = context.Request;
        var contentType = request.ContentType ?? "";
        if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new AdmissionResult(415, null, $"content type must be application/json, got \"{contentType}\"", "?", "?", "invalid");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge(options);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, options.MaxBodyBytes) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > options.MaxBodyBytes)
                    {
                        return TooLarge(options);
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > options.MaxBodyBytes)
                {
                    return TooLarge(options);
                }
            }

            if (length == 0)
            {
                return new AdmissionResult(400, null, "empty body: expected an AdmissionReview", "?", "?", "invalid");
            }

            return await handle(buffer.AsMemory(0, length), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Answering 413 while the client is still sending makes Kestrel reset the connection, and the client sees a
    /// broken pipe instead of the 413. Reading the rest (bounded by Kestrel's limit, a few times MaxBodyBytes) and
    /// closing the connection afterwards lets the client read the answer.
    /// </summary>
    private static async Task DiscardRestOfBodyAsync(HttpContext context)
    {
        context.Response.Headers.Connection = "close";
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await context.Request.Body.ReadAsync(scratch, context.RequestAborted).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // Over Kestrel's limit or the client gave up: nothing more to do than answer and close.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static AdmissionResult TooLarge(WebhookOptions options) =>
        new(413, null, $"body larger than {options.MaxBodyBytes} bytes", "?", "?", "invalid");
}
