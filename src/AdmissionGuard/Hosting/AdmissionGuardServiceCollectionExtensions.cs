using AdmissionGuard.Audit;
using AdmissionGuard.Commands;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdmissionGuard.Hosting;

/// <summary>The composition root of the webhook: every service built by constructor injection from the settings.</summary>
public static class AdmissionGuardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the admission webhook configured with <c>admissionguard serve</c>'s flags (for example <c>--policies DIR</c>;
    /// without it, the cluster's CRDs), writing decision records on stdout. Map its endpoints with
    /// <see cref="AdmissionGuardEndpointRouteBuilderExtensions.MapAdmissionGuard"/>; TLS is the host's.
    /// </summary>
    /// <exception cref="ArgumentException">A flag is invalid; the message is the one <c>serve</c> prints.</exception>
    public static IServiceCollection AddAdmissionGuard(this IServiceCollection services, params string[] serveArguments)
    {
        var line = Cli.Root(ServeCommand.Create()).Parse(["serve", .. serveArguments]);
        if (line.Errors.Count != 0)
        {
            throw new ArgumentException(line.Errors[0].Message, nameof(serveArguments));
        }

        var settings = ServeSettings.From(line, out var error) ?? throw new ArgumentException(error, nameof(serveArguments));
        return services.AddAdmissionGuard(settings, Console.Out);
    }

    internal static IServiceCollection AddAdmissionGuard(this IServiceCollection services, ServeSettings settings, TextWriter decisionRecords)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AdmissionStateStore>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<AdmissionMetrics>();
        services.AddSingleton(settings.Webhook);
        services.AddSingleton(settings.Registry);
        services.AddSingleton(new DrainOptions(settings.Drain));
        services.AddSingleton(_ => RegistryCredentials.FromFile(settings.Registry.DockerConfigPath));
        // One client for manifests and signatures, so tokens and challenges are shared.
        services.TryAddSingleton<OciRegistryClient>();
        services.AddSingleton<IManifestResolver>(sp => sp.GetRequiredService<OciRegistryClient>());
        services.AddSingleton<RegistryFactCache>();
        services.AddSingleton<IRegistryFacts>(sp => sp.GetRequiredService<RegistryFactCache>());
        services.AddSingleton<IRegistryWarmer>(sp => sp.GetRequiredService<RegistryFactCache>());
        services.AddSignatureVerification(settings.Registry);
        services.AddSingleton<AdmissionHandler>();
        services.AddSingleton<PolicyAdmissionHandler>();
        services.AddSingleton<AdmissionEndpoints>();
        if (settings.Cluster is { } cluster)
        {
            services.AddClusterMode(cluster);
            services.AddClusterSignatureKeys(cluster);
        }
        else
        {
            // serve registers the folder it has already read; an embedding host's is read by the loader's first poll.
            services.TryAddSingleton(_ => LocalPolicyFolder.For(settings)!);
            services.AddSingleton<LocalPolicyLoader>();
            services.AddHostedService(sp => sp.GetRequiredService<LocalPolicyLoader>());
        }

        services.AddHostedService<DrainOnShutdown>();
        services.AddDecisionRecords(settings, decisionRecords);
        services.AddAdmissionGuardTracing(settings.Tracing);
        return services;
    }
}
