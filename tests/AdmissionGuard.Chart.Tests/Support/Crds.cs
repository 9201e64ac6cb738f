using System.Text.Json.Nodes;
using k8s.Models;

namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>The CRD files of the chart, as typed models and as JSON trees.</summary>
public static class Crds
{
    public static IReadOnlyList<string> FileNames => Directory.GetFiles(RepoPaths.ChartCrds, "*.yaml").Select(f => Path.GetFileName(f)).Order().ToList();

    public static TheoryData<string> Files => new(FileNames);

    public static V1CustomResourceDefinition Typed(string file) =>
        KubeObjects.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoPaths.ChartCrds, file)));

    public static V1CustomResourceDefinition TypedByKind(string kind) =>
        Directory.GetFiles(RepoPaths.ChartCrds, "*.yaml").Select(f => Typed(Path.GetFileName(f))).Single(c => c.Spec.Names.Kind == kind);

    public static JsonObject Json(string file) =>
        YamlJson.LoadSingle(File.ReadAllText(Path.Combine(RepoPaths.ChartCrds, file)))!.AsObject();

    public static JsonObject SchemaOf(string kind)
    {
        foreach (var file in Directory.GetFiles(RepoPaths.ChartCrds, "*.yaml"))
        {
            var crd = YamlJson.LoadSingle(File.ReadAllText(file))!;
            if ((string?)crd["spec"]!["names"]!["kind"] == kind)
            {
                return crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
            }
        }

        throw new KeyNotFoundException("no CRD for kind " + kind);
    }
}
