using System.Buffers;
using System.Net;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Certificates;
using AdmissionGuard.Webhooks;

// The load run's baselines: admissionguard serve's Kestrel, TLS and keep-alive setup and response writer, answering
// allowed:true for the request's uid without decoding or evaluating anything else.
//   uid-only (default): stops reading JSON at request.uid, the cheapest possible webhook.
//   --read-all: tokenises the whole review with Utf8JsonReader first (and answers 400 if it is not JSON), the
//               least any webhook that must find a Pod's images can do.
//   --garbage BYTES: also allocates BYTES per request in 64-byte objects it drops at once, to price what allocation
//               alone costs a webhook (tests/load/run.sh GARBAGE=BYTES adds such a row).
// usage: NullWebhook [--listen HOST:PORT] [--ca-dir DIR] [--read-all] [--garbage BYTES]
var listen = IPEndPoint.Parse(Option(args, "--listen") ?? "127.0.0.1:8444");
var readAll = args.Contains("--read-all");
var garbage = int.TryParse(Option(args, "--garbage"), out var bytes) && bytes > 0 ? bytes : 0;
var caDir = Option(args, "--ca-dir") ?? Path.Combine(Path.GetTempPath(), "admissionguard-null-ca");
const int MaxBodyBytes = 3 * 1024 * 1024;

using var certificates = ServingCertificates.SelfSigned(caDir);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter(AdmissionGuard.Commands.ServeCommand.HostingDiagnostics, LogLevel.None); // as serve does: no Activity per request
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = MaxBodyBytes + 1;
    kestrel.Listen(listen, l => l.UseAdmissionGuardTls(certificates.Provider));
});

await using var app = builder.Build();
app.MapPost("/validate", (HttpContext context) => AllowAsync(context, readAll, garbage));
app.MapPost("/mutate", (HttpContext context) => AllowAsync(context, readAll, garbage));
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/readyz", () => Results.Text("ready"));
await app.StartAsync().ConfigureAwait(false);
Console.WriteLine($"null webhook ({(readAll ? "read-all" : "uid-only")}): serving https://{listen}; CA at {certificates.CaPath}");
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;

static async Task AllowAsync(HttpContext context, bool readAll, int garbage)
{
    for (var allocated = 0; allocated < garbage; allocated += 64)
    {
        Garbage.Last = new byte[40]; // 24 bytes of header and length, 40 of data
    }

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

        uid = readAll ? ReadAllForUid(buffer.AsSpan(0, length)) : AdmissionHandler.TryReadUid(buffer.AsSpan(0, length));
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
    await ReviewWriter.WriteAsync(context.Response, review, context.RequestAborted).ConfigureAwait(false);
}

// Every token of the review is read (strings and numbers are checked by the reader, not materialised); the uid
// is the one value kept. Null unless the whole body is one well-formed JSON value with a request.uid.
static string? ReadAllForUid(ReadOnlySpan<byte> body)
{
    string? uid = null;
    try
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var inRequest = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1)
            {
                inRequest = reader.ValueTextEquals("request"u8);
            }
            else if (inRequest && uid is null && reader.CurrentDepth == 2 && reader.ValueTextEquals("uid"u8))
            {
                reader.Read();
                uid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
        }
    }
    catch (Exception e) when (e is JsonException or InvalidOperationException)
    {
        return null;
    }

    return uid is { Length: > 0 } ? uid : null;
}

static string? Option(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal static class Garbage
{
    // Written so that the allocations are not optimised away; only the last one is kept.
    public static object? Last;
}
