using System.Buffers;
using System.Net;
using AdmissionGuard.Admission;
using AdmissionGuard.Certificates;
using AdmissionGuard.Webhooks;

// The load run's baseline: admissionguard serve's Kestrel, TLS and keep-alive setup, answering
// allowed:true for the request's uid without decoding or evaluating anything else.
// usage: NullWebhook [--listen HOST:PORT] [--ca-dir DIR]
var listen = IPEndPoint.Parse(Option(args, "--listen") ?? "127.0.0.1:8444");
var caDir = Option(args, "--ca-dir") ?? Path.Combine(Path.GetTempPath(), "admissionguard-null-ca");
const int MaxBodyBytes = 3 * 1024 * 1024;

using var certificates = ServingCertificates.SelfSigned(caDir);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = MaxBodyBytes + 1;
    kestrel.Listen(listen, l => l.UseAdmissionGuardTls(certificates.Provider));
});

await using var app = builder.Build();
app.MapPost("/validate", AllowAsync);
app.MapPost("/mutate", AllowAsync);
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/readyz", () => Results.Text("ready"));
await app.StartAsync().ConfigureAwait(false);
Console.WriteLine($"null webhook: serving https://{listen}; CA at {certificates.CaPath}");
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;

static async Task AllowAsync(HttpContext context)
{
    // Read the whole body into a pooled buffer, as AdmissionEndpoints does, then only find the uid.
    var request = context.Request;
    var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, MaxBodyBytes) + 1);
    string? uid;
    try
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
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
        }

        uid = AdmissionHandler.TryReadUid(buffer.AsSpan(0, length));
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }

    if (uid is null)
    {
        context.Response.StatusCode = 400;
        await context.Response.WriteAsync("no request.uid\n", context.RequestAborted).ConfigureAwait(false);
        return;
    }

    var review = new AdmissionReview
    {
        ApiVersion = AdmissionReview.V1,
        Kind = AdmissionReview.KindName,
        Response = new AdmissionResponse { Uid = uid, Allowed = true },
    };
    var bytes = AdmissionHandler.Encode(review);
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = bytes.Length;
    await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
}

static string? Option(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
