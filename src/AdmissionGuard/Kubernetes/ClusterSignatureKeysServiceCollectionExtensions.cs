using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Kubernetes;

internal static class ClusterSignatureKeysServiceCollectionExtensions
{
    /// <summary>In cluster mode, <c>secretRef</c> keys of <c>signatures</c> rules come from the Secrets they name.</summary>
    public static IServiceCollection AddClusterSignatureKeys(this IServiceCollection services, ClusterModeOptions options)
    {
        services.AddSingleton(sp => new ClusterSignatureKeys(
            sp.GetRequiredService<KubeApi>(), sp.GetRequiredService<AdmissionStateStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ClusterSignatureKeys>>(), options.Watch));
        services.AddSingleton<ISecretKeys>(sp => sp.GetRequiredService<ClusterSignatureKeys>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterSignatureKeys>());
        return services;
    }
}
