using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Fuzz;

/// <summary>The targets by their command-line name. Each builds its fixed state once, before the fuzz loop.</summary>
internal static class FuzzTargets
{
    private static readonly Dictionary<string, Func<Action<ReadOnlyMemory<byte>>>> Factories = new(StringComparer.Ordinal)
    {
        ["reference"] = () => ReferenceTarget.Run,
        ["review"] = () => new ReviewTarget().Run,
        ["policy"] = () => new PolicyTarget().Run,
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static bool TryGet(string name, [NotNullWhen(true)] out Action<ReadOnlyMemory<byte>>? target)
    {
        target = Factories.TryGetValue(name, out var factory) ? factory() : null;
        return target is not null;
    }
}
