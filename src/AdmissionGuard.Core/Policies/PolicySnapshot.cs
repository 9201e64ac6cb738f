namespace AdmissionGuard.Policies;

/// <summary>
/// Everything compiled from the policy objects at one moment. Immutable: a reload builds a new one
/// and swaps the reference, so the hot path reads it without locks.
/// </summary>
public sealed class PolicySnapshot
{
    public static readonly PolicySnapshot Empty = new([], [], []);

    internal PolicySnapshot(CompiledPolicy[] policies, Dictionary<string, CompiledSource> sources, PolicyError[] errors)
    {
        Policies = policies;
        Sources = sources;
        Errors = errors;
    }

    /// <summary>In order of name (cluster and namespaced together), the order rewrites are tried in.</summary>
    internal CompiledPolicy[] Policies { get; }

    internal Dictionary<string, CompiledSource> Sources { get; }

    /// <summary>Every object that failed to compile, and why. Never silently empty.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>The same compiled policies, reporting <paramref name="errors"/> (a reload that kept last good versions).</summary>
    public PolicySnapshot WithErrors(IReadOnlyList<PolicyError> errors) => new(Policies, Sources, [.. errors]);

    public int PolicyCount => Policies.Length;

    public int SourceCount => Sources.Count;
}
