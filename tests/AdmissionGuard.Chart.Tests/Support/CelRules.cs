using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>
/// Evaluates a CRD's <c>x-kubernetes-validations</c> rule with a real CEL implementation (the <c>Cel</c> package),
/// with <c>self</c> bound to a JSON object as the API server binds it.
/// </summary>
/// <remarks>
/// <c>replace</c> and <c>substring</c> are not core CEL but Kubernetes' string library (cel-go <c>ext.Strings</c>:
/// <c>replace</c> replaces every occurrence, <c>substring(start, end)</c> is end-exclusive); the package has no
/// such library, so they are registered here with those meanings.
/// </remarks>
internal static class CelRules
{
    public static string Rule(JsonNode schema)
    {
        var validation = Assert.Single(schema["x-kubernetes-validations"]!.AsArray())!;
        return (string)validation["rule"]!;
    }

    public static bool Evaluate(string rule, string self)
    {
        var environment = new CelEnvironment([], "");
        environment.RegisterFunction("replace", [typeof(string), typeof(string), typeof(string)],
            a => ((string)a[0]!).Replace((string)a[1]!, (string)a[2]!, StringComparison.Ordinal));
        environment.RegisterFunction("substring", [typeof(string), typeof(long), typeof(long)],
            a => ((string)a[0]!)[(int)(long)a[1]!..(int)(long)a[2]!]);
        var program = environment.Compile(rule);
        var result = program.Invoke(new Dictionary<string, object?> { ["self"] = Value(JsonNode.Parse(self)) });
        return Assert.IsType<bool>(result);
    }

    private static object? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => Value(p.Value)),
        JsonArray a => a.Select(Value).ToList(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v => v.GetValue<double>(),
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
