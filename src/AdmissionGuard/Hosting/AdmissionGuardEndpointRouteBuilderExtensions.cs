using AdmissionGuard.Webhooks;

namespace AdmissionGuard.Hosting;

/// <summary>The webhook's HTTP surface.</summary>
public static class AdmissionGuardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/validate</c>, <c>/mutate</c>, <c>/validate-policy</c>, <c>/healthz</c> and <c>/readyz</c> onto the services of
    /// <see cref="AdmissionGuardServiceCollectionExtensions.AddAdmissionGuard(IServiceCollection, string[])"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapAdmissionGuard(this IEndpointRouteBuilder endpoints) => AdmissionEndpoints.Map(endpoints);
}
