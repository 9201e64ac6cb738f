using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Tests.Tracing;

/// <summary>What the tracing tests share: environments for one server, posting with trace headers, printing a trace.</summary>
internal static class TracingTestSupport
{
    /// <summary>
    /// Gives the servers started from here on (in this async flow only) these OTEL_* variables instead of the process's;
    /// a short schedule delay so spans arrive quickly.
    /// </summary>
    public static void UseEnvironment(params (string Name, string Value)[] variables)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal) { ["OTEL_BSP_SCHEDULE_DELAY"] = "100" };
        foreach (var (name, value) in variables)
        {
            map[name] = value;
        }

        TracingSettings.EnvironmentOverride.Value = name => map.GetValueOrDefault(name);
    }

    public static async Task<JsonObject> PostAsync(HttpClient client, string path, JsonObject review, string? traceparent = null, string? tracestate = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(review.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (traceparent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        }

        if (tracestate is not null)
        {
            request.Headers.TryAddWithoutValidation("tracestate", tracestate);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["response"]!.AsObject();
    }

    public static string NewTraceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    public static string NewSpanId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 8));

    /// <summary>The spans of one trace as an indented tree with their attributes and events, as the collector decoded them.</summary>
    public static string Print(IReadOnlyCollection<ReceivedSpan> trace)
    {
        var text = new StringBuilder();
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        void Write(ReceivedSpan span, int depth)
        {
            var indent = new string(' ', depth * 2);
            var ms = (span.Span.EndTimeUnixNano - span.Span.StartTimeUnixNano) / 1e6;
            text.Append(indent).Append(span.Span.Name).Append(" [").Append(span.Span.Kind).Append("] span ").Append(span.SpanId)
                .Append(" parent ").Append(span.ParentSpanId.Length == 0 ? "-" : span.ParentSpanId).Append($" {ms:0.###} ms");
            if (span.Span.Status is { Code: not OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Unset } status)
            {
                text.Append(" status ").Append(status.Code).Append(' ').Append(status.Message);
            }

            text.AppendLine();
            foreach (var attribute in span.Span.Attributes)
            {
                text.Append(indent).Append("    ").Append(attribute.Key).Append(" = ").AppendLine(attribute.Value.ToString());
            }

            foreach (var e in span.Span.Events)
            {
                text.Append(indent).Append("    event ").Append(e.Name).Append(": ")
                    .AppendLine(string.Join(", ", e.Attributes.Select(a => $"{a.Key}={a.Value}")));
            }

            foreach (var child in trace.Where(c => c.ParentSpanId == span.SpanId).OrderBy(c => c.Span.StartTimeUnixNano))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in trace.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Span.StartTimeUnixNano))
        {
            text.Append("trace ").Append(root.TraceId).Append(", service.name ").AppendLine(root.ResourceString("service.name"));
            Write(root, 0);
        }

        return text.ToString();
    }
}
