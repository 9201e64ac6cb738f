using System.Reflection;
using AdmissionGuard.Chart.Tests.Foreign;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using k8s;
using k8s.Models;

namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>Parses manifests into typed models (KubernetesClient's, ours, or the small foreign ones), strictly.</summary>
public static class KubeObjects
{
    private static readonly Dictionary<string, Type> TypeMap = BuildTypeMap();

    public static IReadOnlyDictionary<string, Type> KnownTypes => TypeMap;

    /// <summary>Every document as its typed model; an unknown field or an unknown kind throws.</summary>
    public static List<object> LoadAll(string yaml)
    {
        foreach (var doc in YamlJson.LoadAll(yaml))
        {
            var key = $"{doc!["apiVersion"]}/{doc["kind"]}";
            if (!TypeMap.ContainsKey(key))
            {
                throw new InvalidOperationException($"no typed model for {key}: add one before the chart renders it");
            }
        }

        return KubernetesYaml.LoadAllFromString(yaml, TypeMap, strict: true);
    }

    public static T Deserialize<T>(string yaml) => KubernetesYaml.Deserialize<T>(yaml, strict: true);

    private static Dictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity is null || type.Name.EndsWith("List", StringComparison.Ordinal))
            {
                continue;
            }

            var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
            map.TryAdd($"{apiVersion}/{entity.Kind}", type);
        }

        map["admissionguard.io/v1alpha1/ClusterImagePolicy"] = typeof(ImagePolicy);
        map["admissionguard.io/v1alpha1/ImagePolicy"] = typeof(ImagePolicy);
        map["admissionguard.io/v1alpha1/HardenedImageSource"] = typeof(HardenedImageSource);
        map["admissionguard.io/v1alpha1/ImageScan"] = typeof(ImageScan);
        map["cert-manager.io/v1/Certificate"] = typeof(ForeignObject<CertificateSpec>);
        map["cert-manager.io/v1/Issuer"] = typeof(ForeignObject<IssuerSpec>);
        map["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ForeignObject<ServiceMonitorSpec>);
        map["monitoring.coreos.com/v1/PrometheusRule"] = typeof(ForeignObject<PrometheusRuleSpec>);
        return map;
    }
}
