using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Fuzz;

/// <summary>The targets by their command-line name, as factories: each builds its fixed state once, on the first input.</summary>
internal static class FuzzTargets
{
    private static readonly Dictionary<string, Func<Action<ReadOnlyMemory<byte>>>> Factories = new(StringComparer.Ordinal)
    {
        ["reference"] = () => ReferenceTarget.Run,
        ["review"] = () => new ReviewTarget().Run,
        ["policy"] = () => new PolicyTarget().Run,
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static bool TryGet(string name, [NotNullWhen(true)] out Func<Action<ReadOnlyMemory<byte>>>? factory) =>
        Factories.TryGetValue(name, out factory);
}
