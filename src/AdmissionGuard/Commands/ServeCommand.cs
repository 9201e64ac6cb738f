using AdmissionGuard.Certificates;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;
using OpenTelemetry.Metrics;

namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard serve</c>: the webhook over HTTPS, in local mode from policy files.</summary>
internal static class ServeCommand
{
    private static readonly string[] Valued =
    [
        "--listen", "--tls-cert", "--tls-key", "--policies", "--scans", "--metrics-listen", "--drain", "--deadline", "--ca-dir",
        "--registry-budget", "--registry-ttl", "--registry-negative-ttl", "--insecure-registry", "--registry-ca", "--docker-config", "--grade-scale",
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Action<WebApplication>? started = null, CancellationToken cancellationToken = default)
    {
        var line = CommandLine.Parse(args, [.. Valued, .. ClusterModeOptions.Valued], ClusterModeOptions.Flags, out var error);
        var settings = error is null ? ServeSettings.From(line, out error) : null;
        if (settings is null)
        {
            stderr.WriteLine($"admissionguard serve: {error}");
            stderr.WriteLine("usage: admissionguard serve [--listen HOST:PORT] [--tls-cert F --tls-key F] [--policies DIR [--scans DIR]] [--metrics-listen HOST:PORT] [--drain 2s] [--deadline 3s] [--ca-dir DIR] [--registry-budget 300ms] [--registry-ttl 10m] [--registry-negative-ttl 1m] [--insecure-registry HOST[:PORT]]... [--registry-ca PEM]... [--docker-config FILE] [--grade-scale FILE]");
            stderr.WriteLine("  in a cluster (no --policies): [--kubeconfig FILE] [--namespace NS] [--service-name SVC] [--leader-election-lease NAME] [--trivy-operator-reports] [--workload-pull-secrets] [--tls-secret NAME --validating-webhook NAME --mutating-webhook NAME]");
            return CheckCommand.BadInput;
        }

        using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
        // Self-managed mode serves whatever the watched Secret holds; otherwise files or a local self-signed CA.
        using var certificates = settings.Cluster?.TlsSecret is null ? CreateCertificateProvider(settings, stdout, loggers) : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Drain + TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The endpoints enforce MaxBodyBytes themselves (413); Kestrel's higher limit only bounds how much of an
            // oversized body is read and discarded so that the client can read the 413 (see AdmissionEndpoints).
            kestrel.Limits.MaxRequestBodySize = 4L * settings.Webhook.MaxBodyBytes;
            kestrel.Listen(settings.Listen, listen => listen.UseAdmissionGuardTls(certificates?.Provider ?? kestrel.ApplicationServices.GetRequiredService<ICertificateProvider>()));
            if (settings.MetricsListen is { } metricsEndpoint)
            {
                kestrel.Listen(metricsEndpoint);
            }
        });

        builder.Services.AddAdmissionGuard(settings);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AdmissionMetrics.MeterName)
            // The runtime's own meter (GC heap sizes by generation, working set, JIT): what an operator needs to tell a
            // leak from a heap that is still sizing itself, and what tests/soak samples.
            .AddMeter("System.Runtime")
            .AddPrometheusExporter());

        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<AdmissionStateStore>();
        app.Services.GetService<LocalPolicyLoader>()?.LoadNow();
        app.Services.GetRequiredService<RegistryFactCache>().LookupCompleted += app.Services.GetRequiredService<AdmissionMetrics>().RegistryRequest;
        app.Services.GetRequiredService<SignatureFactCache>().Verified += app.Services.GetRequiredService<AdmissionMetrics>().SignatureVerified;
        app.Services.GetRequiredService<AdmissionMetrics>().ObserveBreakers(() => app.Services.GetRequiredService<RegistryFactCache>().OpenBreakers);
        app.Services.GetRequiredService<AdmissionMetrics>().ObserveCertificate(certificates?.Provider ?? app.Services.GetRequiredService<ICertificateProvider>());
        foreach (var e in store.Current.Snapshot.Errors)
        {
            stderr.WriteLine($"admissionguard serve: invalid policy: {e}");
        }

        app.UseWhen(c => !c.Request.IsHttps && !IsMetricsRequest(c, settings), branch => branch.Run(async c =>
        {
            c.Response.StatusCode = 400;
            await c.Response.WriteAsync("admission endpoints are served over HTTPS only\n").ConfigureAwait(false);
        }));
        app.MapAdmissionEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics");

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        // The bound addresses, not the flag: with port 0 only Kestrel knows which port it got.
        stdout.WriteLine($"admissionguard: serving {string.Join(", ", app.Urls)} {(settings.PoliciesDir is { } dir ? $"with {store.Current.Snapshot.PolicyCount} policies from {dir}" : "watching the cluster's policies")}");
        started?.Invoke(app);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static bool IsMetricsRequest(HttpContext context, ServeSettings settings) =>
        settings.MetricsListen is { } m && context.Connection.LocalPort == m.Port && context.Request.Path.StartsWithSegments("/metrics");

    private static IServiceCollection AddAdmissionGuard(this IServiceCollection services, ServeSettings settings)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AdmissionStateStore>();
        services.AddSingleton(sp => new Readiness(sp.GetService<SelfManagedCertificatesProvider>() is { } c ? () => c.HasCertificate : null));
        services.AddSingleton<AdmissionMetrics>();
        services.AddSingleton(settings.Webhook);
        services.AddSingleton(_ => RegistryCredentials.FromFile(settings.Registry.DockerConfigPath));
        services.AddSingleton(sp => new RegistryFactCache(
            settings.Registry,
            sp.GetRequiredService<OciRegistryClient>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSignatureVerification(settings.Registry);
        services.AddSingleton<IRegistryFacts>(sp => sp.GetRequiredService<RegistryFactCache>());
        services.AddSingleton<IRegistryWarmer>(sp => sp.GetRequiredService<RegistryFactCache>());
        services.AddSingleton<AdmissionHandler>(sp => new AdmissionHandler(
            sp.GetRequiredService<AdmissionStateStore>(),
            sp.GetRequiredService<IRegistryFacts>(),
            sp.GetService<IRegistryWarmer>(),
            sp.GetService<IPullScopes>(),
            sp.GetRequiredService<AdmissionMetrics>(),
            settings.Webhook,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AdmissionHandler>>(),
            sp.GetRequiredService<SignatureFactCache>()));
        if (settings.Cluster is { } cluster)
        {
            services.AddClusterMode(cluster);
            services.AddClusterSignatureKeys(cluster);
        }
        else
        {
            services.AddSingleton(sp => new LocalPolicyLoader(settings.PoliciesDir!, settings.ScansDir, settings.GradeScale, sp.GetRequiredService<AdmissionStateStore>(), sp.GetRequiredService<ILogger<LocalPolicyLoader>>()));
            services.AddHostedService(sp => sp.GetRequiredService<LocalPolicyLoader>());
        }
        services.AddSingleton<IHostedService>(sp => new DrainOnShutdown(sp.GetRequiredService<Readiness>(), settings.Drain, sp.GetRequiredService<ILogger<DrainOnShutdown>>()));
        return services;
    }

    private static ServingCertificates CreateCertificateProvider(ServeSettings settings, TextWriter stdout, ILoggerFactory loggers)
    {
        if (settings.TlsCert is not null && settings.TlsKey is not null)
        {
            return ServingCertificates.FromFiles(settings.TlsCert, settings.TlsKey, loggers.CreateLogger<CertificateReloader>());
        }

        var certificates = ServingCertificates.SelfSigned(settings.CaDir);
        stdout.WriteLine($"admissionguard: no --tls-cert/--tls-key given; self-signed CA for localhost written to {certificates.CaPath}");
        return certificates;
    }
}
