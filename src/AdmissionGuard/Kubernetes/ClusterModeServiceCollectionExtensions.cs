using AdmissionGuard.Certificates;
using AdmissionGuard.Hosting;
using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdmissionGuard.Kubernetes;

internal static class ClusterModeServiceCollectionExtensions
{
    /// <summary>
    /// Cluster mode: the API client (in-cluster config, else kubeconfig), leader election when a Lease is
    /// named, and the watch-fed <see cref="ClusterPolicySource"/> in place of the local policy loader.
    /// </summary>
    public static IServiceCollection AddClusterMode(this IServiceCollection services, ClusterModeOptions options, KubernetesClientConfiguration? configuration = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AdmissionStateStore>();
        services.TryAddSingleton<ServiceHealth>();
        services.AddSingleton(options);
        services.AddSingleton(_ => new k8s.Kubernetes(configuration
            ?? (options.Kubeconfig is { } file ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file) : KubernetesClientConfiguration.BuildDefaultConfig())));
        services.AddSingleton(sp => new KubeApi(sp.GetRequiredService<k8s.Kubernetes>()));
        if (options.LeaseName is { } lease)
        {
            services.AddSingleton(sp => new LeaseLeaderElector(
                sp.GetRequiredService<KubeApi>(), options.Namespace, lease, options.Identity, options.Election,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeaseLeaderElector>>(),
                sp.GetRequiredService<ServiceHealth>(), sp.GetService<IHostApplicationLifetime>()));
            services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaseLeaderElector>());
            services.AddHostedService(sp => sp.GetRequiredService<LeaseLeaderElector>());
        }
        else
        {
            services.AddSingleton<ILeadership, SoleReplica>();
        }

        if (options.SelfManagedCertificates is { } certificates)
        {
            // Every replica serves from the Secret; only the leader writes it and the caBundles.
            services.AddSingleton(sp => new SelfManagedCertificatesProvider(
                sp.GetRequiredService<KubeApi>(), certificates, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SelfManagedCertificatesProvider>>(), options.Watch,
                sp.GetRequiredService<ServiceHealth>(), sp.GetService<IHostApplicationLifetime>()));
            services.AddSingleton<ICertificateProvider>(sp => sp.GetRequiredService<SelfManagedCertificatesProvider>());
            services.AddHostedService(sp => sp.GetRequiredService<SelfManagedCertificatesProvider>());
            services.AddSingleton(sp => new SelfManagedCertificatesIssuer(
                sp.GetRequiredService<KubeApi>(), certificates, sp.GetRequiredService<ILeadership>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SelfManagedCertificatesIssuer>>(), sp.GetRequiredService<SelfManagedCertificatesProvider>(),
                sp.GetRequiredService<ServiceHealth>(), sp.GetService<IHostApplicationLifetime>()));
            services.AddHostedService(sp => sp.GetRequiredService<SelfManagedCertificatesIssuer>());
        }

        if (options.WorkloadPullSecrets)
        {
            services.AddSingleton(sp => new ClusterPullSecrets(
                sp.GetRequiredService<KubeApi>(), sp.GetService<Registry.RegistryCredentials>() ?? Registry.RegistryCredentials.None,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterPullSecrets>>(), options.Watch));
            services.AddSingleton<Registry.IPullScopes>(sp => sp.GetRequiredService<ClusterPullSecrets>());
        }

        services.AddSingleton(sp => new ClusterPolicySource(
            sp.GetRequiredService<KubeApi>(), sp.GetRequiredService<AdmissionStateStore>(), options,
            sp.GetRequiredService<ILeadership>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<ClusterPullSecrets>(), sp.GetRequiredService<ServiceHealth>(), sp.GetService<IHostApplicationLifetime>()));
        services.AddHostedService(sp => sp.GetRequiredService<ClusterPolicySource>());
        return services;
    }
}
