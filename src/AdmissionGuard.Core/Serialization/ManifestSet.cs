using System.Text.Json;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Serialization;

/// <summary>
/// Objects read from manifests (files, stdin, Helm output), sorted by what they are for. Errors name
/// the origin (<c>file.yaml#2</c>) and the JSON path of the bad field; nothing is dropped silently.
/// </summary>
public sealed class ManifestSet
{
    public List<HardenedImageSource> Sources { get; } = [];
    public List<ImagePolicy> Policies { get; } = [];
    public List<ImageScan> Scans { get; } = [];
    public Dictionary<string, Dictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);
    public List<Manifest> Workloads { get; } = [];
    public List<string> Errors { get; } = [];

    /// <summary>Adds every document of a YAML or JSON text; <paramref name="origin"/> names it in errors.</summary>
    public void AddText(string text, string origin)
    {
        List<JsonDocument> documents;
        try
        {
            documents = YamlDocuments.Read(text);
        }
        catch (InvalidDataException e)
        {
            Errors.Add($"{origin}: {e.Message}");
            return;
        }

        for (var i = 0; i < documents.Count; i++)
        {
            using var document = documents[i];
            Add(document.RootElement, documents.Count == 1 ? origin : $"{origin}#{i + 1}", origin);
        }
    }

    public void Add(JsonElement element, string origin) => Add(element, origin, origin);

    private void Add(JsonElement element, string origin, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Errors.Add($"{origin}: expected an object, found {element.ValueKind}");
            return;
        }

        var kind = element.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        var apiVersion = element.TryGetProperty("apiVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        try
        {
            switch (kind)
            {
                case "":
                    Errors.Add($"{origin}: kind is missing");
                    break;
                case "List" or "PodList" or "DeploymentList":
                    AddList(element, origin, source);
                    break;
                case HardenedImageSource.KindName when IsOurs(apiVersion):
                    Sources.Add(element.Deserialize(AgJsonContext.Yaml.HardenedImageSource)!);
                    break;
                case (ImagePolicy.ClusterKind or ImagePolicy.NamespacedKind) when IsOurs(apiVersion):
                    Policies.Add(element.Deserialize(AgJsonContext.Yaml.ImagePolicy)!);
                    break;
                case ImageScan.KindName when IsOurs(apiVersion):
                    Scans.Add(element.Deserialize(AgJsonContext.Yaml.ImageScan)!);
                    break;
                case "Namespace" when apiVersion == "v1":
                    var meta = element.TryGetProperty("metadata", out var m) ? m.Deserialize(AgJsonContext.Yaml.ObjectMeta) : null;
                    if (string.IsNullOrEmpty(meta?.Name))
                    {
                        Errors.Add($"{origin}: Namespace without metadata.name");
                        break;
                    }

                    NamespaceLabels[meta.Name] = Evaluation.NamespaceLabels.Of(meta.Name, meta.Labels);
                    break;
                default:
                    Workloads.Add(new Manifest(kind, element.Deserialize(AgJsonContext.Yaml.WorkloadObject)!, origin, source));
                    break;
            }
        }
        catch (JsonException e)
        {
            Errors.Add($"{origin}: {kind} {NameOf(element)}: {FieldErrors.Describe(e)}");
        }
        catch (NotSupportedException e)
        {
            Errors.Add($"{origin}: {kind} {NameOf(element)}: {FieldErrors.FirstLine(e.Message)}");
        }
    }

    /// <summary>The labels of a namespace: from a Namespace object if one was read, else only the name label the API server sets.</summary>
    public IReadOnlyDictionary<string, string> LabelsOf(string ns) =>
        NamespaceLabels.TryGetValue(ns, out var labels) ? labels : Evaluation.NamespaceLabels.NameOnly(ns);

    private void AddList(JsonElement element, string origin, string source)
    {
        if (!element.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            Errors.Add($"{origin}: List without items");
            return;
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            Add(item, $"{origin}.items[{index++}]", source);
        }
    }

    private static bool IsOurs(string apiVersion) => apiVersion.StartsWith("admissionguard.io/", StringComparison.Ordinal);

    private static string NameOf(JsonElement element) =>
        element.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
            ? $"\"{n.GetString()}\""
            : "<unnamed>";
}
