using System.Text.Json.Nodes;
using AdmissionGuard.Testing;

namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>
/// Evaluates a CRD's <c>x-kubernetes-validations</c> rule with a real CEL implementation (<see cref="KubernetesCel"/>),
/// with <c>self</c> bound to a JSON object as the API server binds it.
/// </summary>
internal static class CelRules
{
    public static string Rule(JsonNode schema)
    {
        var validation = Assert.Single(schema["x-kubernetes-validations"]!.AsArray())!;
        return (string)validation["rule"]!;
    }

    public static bool Evaluate(string rule, string self)
    {
        var program = KubernetesCel.Environment.Compile(rule);
        var result = program.Invoke(new Dictionary<string, object?> { ["self"] = KubernetesCel.Value(JsonNode.Parse(self)) });
        return Assert.IsType<bool>(result);
    }
}
