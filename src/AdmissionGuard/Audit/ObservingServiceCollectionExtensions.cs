using AdmissionGuard.Commands;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

internal static class ObservingServiceCollectionExtensions
{
    /// <summary>
    /// Decision records on <paramref name="stdout"/> (every mode); in cluster mode also the leader's background
    /// audit, its PolicyReports and the adoption gauges.
    /// </summary>
    public static IServiceCollection AddDecisionRecords(this IServiceCollection services, ServeSettings settings, TextWriter stdout)
    {
        services.AddSingleton(sp => new DecisionRecordWriter(stdout, settings.DecisionLogRate, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AdmissionMetrics>()));
        services.AddHostedService(sp => sp.GetRequiredService<DecisionRecordWriter>());
        if (settings.Cluster is not null)
        {
            services.AddBackgroundAudit(new AuditOptions { Interval = settings.AuditInterval });
        }

        if (settings.FailClosedWebhook is { } webhook)
        {
            services.AddSingleton(sp => new FailClosedWhenReady(
                sp.GetRequiredService<KubeApi>(), webhook, sp.GetRequiredService<AdmissionStateStore>(), sp.GetRequiredService<Readiness>(),
                sp.GetRequiredService<ILeadership>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FailClosedWhenReady>>()));
            services.AddHostedService(sp => sp.GetRequiredService<FailClosedWhenReady>());
        }

        return services;
    }

    public static IServiceCollection AddBackgroundAudit(this IServiceCollection services, AuditOptions options)
    {
        services.AddSingleton<AdoptionGauges>();
        services.AddSingleton(sp => new BackgroundAudit(
            sp.GetRequiredService<KubeApi>(), sp.GetRequiredService<AdmissionStateStore>(), sp.GetRequiredService<ILeadership>(),
            sp.GetRequiredService<IRegistryFacts>(), sp.GetRequiredService<AdoptionGauges>(), options,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BackgroundAudit>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundAudit>());
        return services;
    }
}
