using AdmissionGuard.Telemetry;
using OpenTelemetry.Exporter;

namespace AdmissionGuard.Tests.Tracing;

public sealed class TracingSettingsTests
{
    private static TracingSettings? From(bool flag, out string? error, params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return TracingSettings.From(flag, name => map.GetValueOrDefault(name), out error);
    }

    [Fact]
    public void From_NothingSet_TracingIsOff()
    {
        Assert.Null(From(false, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void From_OnlyTheFlag_ExportsToALocalCollectorOverHttpWithTheParentBasedDefault()
    {
        var settings = From(true, out var error)!;

        Assert.Null(error);
        Assert.Equal(new Uri("http://localhost:4318/v1/traces"), settings.Endpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, settings.Protocol);
        Assert.Equal("parentbased_always_on", settings.Sampler);
        Assert.Equal("admissionguard", settings.ServiceName);
        Assert.Equal((2048, 512), (settings.MaxQueueSize, settings.MaxExportBatchSize));
    }

    [Theory]
    [InlineData("http://collector:4318", null, null, "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", null, null, "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4317", "grpc", null, "http://collector:4317/")]
    [InlineData("http://ignored:1", null, "https://traces.example.com/custom/path", "https://traces.example.com/custom/path")]
    public void From_EndpointVariable_TurnsTracingOnWithTheSpecsUrlRules(string endpoint, string? protocol, string? tracesEndpoint, string expected)
    {
        var variables = new List<(string, string)> { ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint) };
        if (protocol is not null)
        {
            variables.Add(("OTEL_EXPORTER_OTLP_PROTOCOL", protocol));
        }

        if (tracesEndpoint is not null)
        {
            variables.Add(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint));
        }

        var settings = From(false, out var error, [.. variables])!;

        Assert.Null(error);
        Assert.Equal(expected, settings.Endpoint.ToString());
    }

    [Theory]
    [InlineData("OTEL_SDK_DISABLED", "true")]
    [InlineData("OTEL_TRACES_EXPORTER", "none")]
    public void From_DisabledByTheStandardSwitches_EvenWithFlagAndEndpoint(string name, string value)
    {
        Assert.Null(From(true, out var error, ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), (name, value)));
        Assert.Null(error);
    }

    [Fact]
    public void From_RatioSampler_ReadsItsArgument()
    {
        var settings = From(true, out _, ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25"))!;

        Assert.Equal(("parentbased_traceidratio", 0.25), (settings.Sampler, settings.Ratio));
        Assert.IsType<OpenTelemetry.Trace.ParentBasedSampler>(TracingServiceCollectionExtensions.Sampler(settings));
    }

    [Theory]
    [InlineData("OTEL_TRACES_SAMPLER", "sometimes", "OTEL_TRACES_SAMPLER \"sometimes\" is not supported: use one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_PROTOCOL \"http/json\" is not supported: use http/protobuf or grpc")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT \"collector:4318\" is not an http:// or https:// URL such as http://otel-collector:4318")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector", "OTEL_EXPORTER_OTLP_ENDPOINT \"ftp://collector\" is not an http:// or https:// URL such as http://otel-collector:4318")]
    [InlineData("OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER \"zipkin\" is not supported: use otlp (or none to turn tracing off)")]
    [InlineData("OTEL_BSP_MAX_QUEUE_SIZE", "-5", "OTEL_BSP_MAX_QUEUE_SIZE \"-5\" is not a positive whole number")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", "OTEL_EXPORTER_OTLP_TIMEOUT \"10s\" is not a positive whole number")]
    public void From_InvalidValue_NamesTheVariableAndWhatWouldDo(string name, string value, string expected)
    {
        Assert.Null(From(true, out var error, (name, value)));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("half")]
    [InlineData("NaN")]
    public void From_RatioOutOfRange_IsAnError(string arg)
    {
        Assert.Null(From(true, out var error, ("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", arg)));
        Assert.Equal($"OTEL_TRACES_SAMPLER_ARG \"{arg}\" is not a sampling ratio between 0 and 1 (such as 0.25)", error);
    }

    [Fact]
    public void From_BatchLargerThanQueue_IsCappedAtTheQueue()
    {
        var settings = From(true, out _, ("OTEL_BSP_MAX_QUEUE_SIZE", "100"), ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500"))!;

        Assert.Equal((100, 100), (settings.MaxQueueSize, settings.MaxExportBatchSize));
    }
}
