using System.Text.Json.Nodes;
using Cel;

namespace AdmissionGuard.Testing;

/// <summary>
/// CEL as the API server evaluates a CRD's <c>x-kubernetes-validations</c>, with a real CEL implementation (the
/// <c>Cel</c> package). Shared by the chart tests and the fake API server (linked into both projects).
/// </summary>
/// <remarks>
/// <c>replace</c> and <c>substring</c> are not core CEL but Kubernetes' string library (cel-go <c>ext.Strings</c>:
/// <c>replace</c> replaces every occurrence, <c>substring(start, end)</c> is end-exclusive and fails outside the
/// string); the package has no such library, so they are registered here with those meanings.
/// </remarks>
internal static class KubernetesCel
{
    private static readonly Lazy<CelEnvironment> Shared = new(Create);

    /// <summary>One environment for every rule.</summary>
    public static CelEnvironment Environment => Shared.Value;

    /// <summary><paramref name="node"/> as CEL sees <c>self</c>: maps, lists, strings, bools, ints and doubles.</summary>
    public static object? Value(JsonNode? node) => node switch
    {
        JsonObject obj => obj.ToDictionary(p => p.Key, p => Value(p.Value), StringComparer.Ordinal),
        JsonArray array => array.Select(Value).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v => v.GetValue<double>(),
        _ => null,
    };

    private static CelEnvironment Create()
    {
        var environment = new CelEnvironment(null, "");
        environment.RegisterFunction("replace", [typeof(string), typeof(string), typeof(string)], args => ((string)args[0]!).Replace((string)args[1]!, (string)args[2]!, StringComparison.Ordinal));
        environment.RegisterFunction("substring", [typeof(string), typeof(long), typeof(long)], args =>
        {
            var text = (string)args[0]!;
            var (start, end) = ((int)(long)args[1]!, (int)(long)args[2]!);
            // Kubernetes' substring fails on a range outside the string; so does this, as an evaluation error.
            return start < 0 || end > text.Length || start > end
                ? throw new ArgumentOutOfRangeException(nameof(args), $"index out of range: {end}")
                : text[start..end];
        });
        return environment;
    }
}
