using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// HTTP around <see cref="AdmissionHandler"/> and <see cref="PolicyAdmissionHandler"/>: method, content type and size
/// checks, then the one encoding of every <see cref="AdmissionResult"/>. Built once by the container; the endpoints
/// call it directly, so a request resolves nothing.
/// </summary>
internal sealed class AdmissionEndpoints(AdmissionHandler admission, PolicyAdmissionHandler policies, WebhookOptions options, AdmissionMetrics metrics)
{
    private enum Webhook
    {
        Validate,
        Mutate,
        ValidatePolicy,
    }

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var endpoints = app.ServiceProvider.GetRequiredService<AdmissionEndpoints>();
        var store = app.ServiceProvider.GetRequiredService<AdmissionStateStore>();
        var readiness = app.ServiceProvider.GetRequiredService<Readiness>();
        app.MapPost("/validate", context => endpoints.HandleAsync(context, Webhook.Validate));
        app.MapPost("/mutate", context => endpoints.HandleAsync(context, Webhook.Mutate));
        app.MapPost("/validate-policy", context => endpoints.HandleAsync(context, Webhook.ValidatePolicy));
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () => readiness.IsReady(store.Current) ? Results.Text("ready") : Results.Text(readiness.Reason(store.Current), statusCode: 503));
        return app;
    }

    /// <summary>The same content type, size limits and encoding for every admission endpoint; the webhook's handler decides.</summary>
    private async Task HandleAsync(HttpContext context, Webhook webhook)
    {
        var started = Stopwatch.GetTimestamp();
        var name = webhook switch
        {
            Webhook.Mutate => "mutate",
            Webhook.ValidatePolicy => "validate-policy",
            _ => "validate",
        };
        using var activity = Tracing.StartAdmission(name, context.Request.Headers);
        var result = await ReadAndHandleAsync(context, webhook).ConfigureAwait(false);

        var response = context.Response;
        response.StatusCode = result.StatusCode;
        if (result.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await DiscardRestOfBodyAsync(context).ConfigureAwait(false);
        }

        if (result.ToReview() is { } review)
        {
            await ReviewWriter.WriteAsync(response, review, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(((AdmissionResult.Rejected)result).Error + "\n", context.RequestAborted).ConfigureAwait(false);
        }

        if (activity is { IsAllDataRequested: true })
        {
            Tracing.Answered(activity, result.StatusCode, result.Kind, result.Operation, result.DecisionLabel);
        }

        metrics.Request(name, result.Kind, result.Operation, result.DecisionLabel, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private ValueTask<AdmissionResult> HandleBodyAsync(ReadOnlyMemory<byte> body, Webhook webhook, CancellationToken cancellationToken) => webhook switch
    {
        Webhook.Mutate => admission.HandleAsync(body, EvaluationPurpose.Mutate, cancellationToken),
        Webhook.ValidatePolicy => new ValueTask<AdmissionResult>(policies.Handle(body)),
        _ => admission.HandleAsync(body, EvaluationPurpose.Validate, cancellationToken),
    };

    // Most requests wait here for the rest of their body, so the state machine goes to the heap; the pooling builder
    // reuses those boxes instead of allocating one per request (the method awaited in HandleAsync, once).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AdmissionResult> ReadAndHandleAsync(HttpContext context, Webhook webhook)
    {
        var request = context.Request;
        var contentType = request.ContentType ?? "";
        if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new AdmissionResult.Rejected(StatusCodes.Status415UnsupportedMediaType, $"content type must be application/json, got \"{contentType}\"");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge();
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
                        return TooLarge();
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
                    return TooLarge();
                }
            }

            if (length == 0)
            {
                return new AdmissionResult.Rejected(StatusCodes.Status400BadRequest, "empty body: expected an AdmissionReview");
            }

            return await HandleBodyAsync(buffer.AsMemory(0, length), webhook, context.RequestAborted).ConfigureAwait(false);
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

    private AdmissionResult.Rejected TooLarge() => new(StatusCodes.Status413PayloadTooLarge, $"body larger than {options.MaxBodyBytes} bytes");
}
