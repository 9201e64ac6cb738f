using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdmissionGuard.Registry;

internal static class SignatureServiceCollectionExtensions
{
    /// <summary>
    /// The registry client (shared with the manifest lookups, so tokens and challenges are too) and the signature cache.
    /// Keys in Secrets come from the cluster when cluster mode registers an <see cref="ISecretKeys"/>; otherwise none.
    /// </summary>
    public static IServiceCollection AddSignatureVerification(this IServiceCollection services, RegistryOptions registry, SignatureOptions? options = null)
    {
        services.TryAddSingleton(sp => new OciRegistryClient(registry, sp.GetRequiredService<RegistryCredentials>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => SignatureFactCache.Create(
            sp.GetRequiredService<OciRegistryClient>(),
            registry,
            sp.GetService<ISecretKeys>() ?? NoSecretKeys.Instance,
            sp.GetRequiredService<TimeProvider>(),
            options));
        return services;
    }
}
