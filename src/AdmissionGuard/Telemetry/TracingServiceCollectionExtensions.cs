using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AdmissionGuard.Telemetry;

/// <summary>Trace export over OTLP when <see cref="TracingSettings"/> turn it on; nothing at all (no listener, no cost) otherwise.</summary>
internal static class TracingServiceCollectionExtensions
{
    public static IServiceCollection AddAdmissionGuardTracing(this IServiceCollection services, TracingSettings? settings)
    {
        if (settings is null)
        {
            return services;
        }

        services.AddSingleton<TraceSpanDrops>();
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                // The resource of traces only: /metrics stays as it was with tracing on.
                .ConfigureResource(resource => resource.AddService(settings.ServiceName, serviceVersion: typeof(Tracing).Assembly.GetName().Version?.ToString()))
                .AddSource(Tracing.SourceName)
                .SetSampler(Sampler(settings))
                .AddProcessor(sp =>
                {
                    var drops = sp.GetRequiredService<TraceSpanDrops>();
                    var exporter = new OtlpTraceExporter(new OtlpExporterOptions
                    {
                        Endpoint = settings.Endpoint,
                        Protocol = settings.Protocol,
                        TimeoutMilliseconds = (int)settings.ExportTimeout.TotalMilliseconds,
                    });
                    return new TraceExportQueue(exporter, settings.MaxQueueSize, settings.MaxExportBatchSize, settings.ScheduleDelay, drops.Dropped);
                }));
        return services;
    }

    internal static Sampler Sampler(TracingSettings settings) => settings.Sampler switch
    {
        "always_on" => new AlwaysOnSampler(),
        "always_off" => new AlwaysOffSampler(),
        "traceidratio" => new TraceIdRatioBasedSampler(settings.Ratio),
        "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
        "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.Ratio)),
        _ => new ParentBasedSampler(new AlwaysOnSampler()),
    };
}
