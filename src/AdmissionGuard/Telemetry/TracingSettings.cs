using System.Globalization;
using OpenTelemetry.Exporter;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// Trace export as the OpenTelemetry environment variables declare it (docs/tracing.md). Tracing is on when
/// <c>serve --tracing</c> is given or an OTLP endpoint variable is set, and off again with <c>OTEL_SDK_DISABLED=true</c>
/// or <c>OTEL_TRACES_EXPORTER=none</c>. When on, every value is checked at startup: a bad one is a one-line error.
/// </summary>
internal sealed record TracingSettings(
    Uri Endpoint,
    OtlpExportProtocol Protocol,
    string Sampler,
    double Ratio,
    string ServiceName,
    int MaxQueueSize,
    int MaxExportBatchSize,
    TimeSpan ScheduleDelay,
    TimeSpan ExportTimeout)
{
    public const string DefaultServiceName = "admissionguard";

    public static readonly string[] Samplers =
        ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];

    /// <summary>
    /// Tests replace the process environment for one server (the value flows with the execution context), so tests that
    /// run side by side never see each other's variables.
    /// </summary>
    internal static readonly AsyncLocal<Func<string, string?>?> EnvironmentOverride = new();

    /// <summary>The settings, null with <paramref name="error"/> null when tracing is off, or null with the reason.</summary>
    public static TracingSettings? From(bool flag, out string? error) =>
        From(flag, EnvironmentOverride.Value ?? Environment.GetEnvironmentVariable, out error);

    public static TracingSettings? From(bool flag, Func<string, string?> environment, out string? error)
    {
        error = null;
        string? Get(string name) => environment(name) is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

        if (string.Equals(Get("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        switch (Get("OTEL_TRACES_EXPORTER")?.ToLowerInvariant())
        {
            case null or "otlp":
                break;
            case "none":
                return null;
            case var other:
                error = $"OTEL_TRACES_EXPORTER \"{other}\" is not supported: use otlp (or none to turn tracing off)";
                return null;
        }

        var tracesEndpoint = Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var baseEndpoint = Get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (!flag && tracesEndpoint is null && baseEndpoint is null)
        {
            return null;
        }

        var protocolName = Get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") is { } p ? ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", p) : ("OTEL_EXPORTER_OTLP_PROTOCOL", Get("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf");
        OtlpExportProtocol protocol;
        switch (protocolName.Item2.ToLowerInvariant())
        {
            case "http/protobuf":
                protocol = OtlpExportProtocol.HttpProtobuf;
                break;
            case "grpc":
                protocol = OtlpExportProtocol.Grpc;
                break;
            default:
                error = $"{protocolName.Item1} \"{protocolName.Item2}\" is not supported: use http/protobuf or grpc";
                return null;
        }

        // As the OTLP exporter specification says: the per-signal variable is the full URL; the base one gets /v1/traces
        // appended for HTTP. Defaults are a collector on this host.
        var (endpointName, endpointText) = tracesEndpoint is not null
            ? ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint)
            : ("OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint ?? (protocol == OtlpExportProtocol.Grpc ? "http://localhost:4317" : "http://localhost:4318"));
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https") || endpoint.Host.Length == 0)
        {
            error = $"{endpointName} \"{endpointText}\" is not an http:// or https:// URL such as http://otel-collector:4318";
            return null;
        }

        if (tracesEndpoint is null && protocol == OtlpExportProtocol.HttpProtobuf)
        {
            endpoint = new Uri(endpointText.TrimEnd('/') + "/v1/traces");
        }

        var sampler = (Get("OTEL_TRACES_SAMPLER") ?? "parentbased_always_on").ToLowerInvariant();
        if (!Samplers.Contains(sampler))
        {
            error = $"OTEL_TRACES_SAMPLER \"{sampler}\" is not supported: use one of {string.Join(", ", Samplers)}";
            return null;
        }

        var ratio = 1.0;
        if (sampler.EndsWith("traceidratio", StringComparison.Ordinal) && Get("OTEL_TRACES_SAMPLER_ARG") is { } arg
            && (!double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out ratio) || ratio is < 0 or > 1 || double.IsNaN(ratio)))
        {
            error = $"OTEL_TRACES_SAMPLER_ARG \"{arg}\" is not a sampling ratio between 0 and 1 (such as 0.25)";
            return null;
        }

        int? queue = null, batch = null, delay = null, timeout = null;
        foreach (var (name, defaultValue, set) in new (string, int, Action<int>)[]
        {
            ("OTEL_BSP_MAX_QUEUE_SIZE", 2048, v => queue = v),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, v => batch = v),
            ("OTEL_BSP_SCHEDULE_DELAY", 5000, v => delay = v),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", 10000, v => timeout = v),
        })
        {
            var text = Get(name);
            if (text is null)
            {
                set(defaultValue);
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                set(value);
            }
            else
            {
                error = $"{name} \"{text}\" is not a positive whole number";
                return null;
            }
        }

        return new TracingSettings(endpoint, protocol, sampler, ratio, Get("OTEL_SERVICE_NAME") ?? DefaultServiceName,
            queue!.Value, Math.Min(batch!.Value, queue.Value), TimeSpan.FromMilliseconds(delay!.Value), TimeSpan.FromMilliseconds(timeout!.Value));
    }
}
