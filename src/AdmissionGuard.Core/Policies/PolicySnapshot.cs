namespace AdmissionGuard.Policies;

/// <summary>
/// Everything compiled from the policy objects at one moment. Immutable: a reload builds a new one
/// and swaps the reference, so the hot path reads it without locks.
/// </summary>
public sealed class PolicySnapshot
{
    public static readonly PolicySnapshot Empty = new([], [], []);

    internal PolicySnapshot(CompiledPolicy[] policies, Dictionary<string, CompiledSource> sources, PolicyError[] errors, InvalidPolicy[]? invalid = null)
    {
        Policies = policies;
        Sources = sources;
        Errors = errors;
        Invalid = invalid ?? [];
    }

    /// <summary>Policies that never compiled in this snapshot: they enforce nothing and warn the admissions they would have matched.</summary>
    internal InvalidPolicy[] Invalid { get; }

    /// <summary>The ids of the policies that did not compile and enforce nothing (<c>ClusterImagePolicy/name</c>).</summary>
    public IReadOnlyList<string> InvalidPolicyIds => [.. Invalid.Select(i => i.Id)];

    /// <summary>In order of name (cluster and namespaced together), the order rewrites are tried in.</summary>
    internal CompiledPolicy[] Policies { get; }

    internal Dictionary<string, CompiledSource> Sources { get; }

    /// <summary>Every object that failed to compile, and why. Never silently empty.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>The same compiled policies, reporting <paramref name="errors"/> (a reload that kept last good versions).</summary>
    /// <remarks>
    /// <para>A policy whose last good version was kept is among <see cref="Policies"/>: it is enforced, not invalid.</para>
    /// <para>A policy named in <paramref name="errors"/> that has no compiled version here (it failed to decode, or
    /// failed with no last good version) enforces nothing: it joins <see cref="Invalid"/> and, with its match
    /// unknown, warns every admission in its scope (its namespace for an ImagePolicy).</para>
    /// </remarks>
    public PolicySnapshot WithErrors(IReadOnlyList<PolicyError> errors)
    {
        var invalid = new List<InvalidPolicy>(Invalid);
        foreach (var error in errors)
        {
            if (error.ObjectKind is not (ImagePolicy.ClusterKind or ImagePolicy.NamespacedKind))
            {
                continue;
            }

            var id = error.ObjectId;
            if (!Policies.Any(p => p.Id == id) && !invalid.Any(i => i.Id == id))
            {
                invalid.Add(new InvalidPolicy(id, error.ObjectNamespace, null, $"{error.Field}: {error.Message}"));
            }
        }

        return new(Policies, Sources, [.. errors], [.. invalid]);
    }

    /// <summary>
    /// The policies whose match can hold in namespace <paramref name="ns"/> by its name alone (an ImagePolicy's own
    /// namespace, <c>namespaces</c>, <c>excludeNamespaces</c>), in <see cref="Policies"/> order; labels are still to be
    /// checked. Found by one scan per namespace and snapshot, then remembered: with thousands of policies of which a
    /// handful concern a namespace, an admission reads only those.
    /// </summary>
    internal CompiledPolicy[] CandidatesFor(string ns)
    {
        if (candidates.TryGetValue(ns, out var found))
        {
            return found;
        }

        found = Scan(ns);
        // Admission requests only come for namespaces that exist, but the memory stays bounded all the same.
        if (candidates.Count < MaxRememberedNamespaces)
        {
            candidates.TryAdd(ns, found);
        }

        return found;
    }

    private const int MaxRememberedNamespaces = 20_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CompiledPolicy[]> candidates = new(StringComparer.Ordinal);

    private CompiledPolicy[] Scan(string ns)
    {
        List<CompiledPolicy>? found = null;
        foreach (var policy in Policies)
        {
            if (policy.Match.MatchesNamespaceName(ns))
            {
                (found ??= []).Add(policy);
            }
        }

        return found is null ? [] : [.. found];
    }

    public int PolicyCount => Policies.Length;

    /// <summary>The mode of the compiled policy <paramref name="policyId"/>; null when there is none.</summary>
    public PolicyMode? ModeOf(string policyId) => Array.Find(Policies, p => p.Id == policyId)?.Mode;

    /// <summary>The ids of the policies that match a Pod with <paramref name="podLabels"/> in <paramref name="ns"/> (what a trace lists).</summary>
    public IEnumerable<string> PolicyIdsMatching(string ns, IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels)
    {
        foreach (var policy in Policies)
        {
            if (policy.Match.Matches(ns, namespaceLabels, podLabels))
            {
                yield return policy.Id;
            }
        }
    }

    /// <summary>
    /// The ids of the policies that judge <paramref name="image"/> in a Pod with <paramref name="podLabels"/> in
    /// <paramref name="ns"/>: they match the Pod and select the image (what an audit reports as passed).
    /// </summary>
    public IEnumerable<string> PolicyIdsJudging(string ns, IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels, Images.ImageReference image)
    {
        foreach (var policy in Policies)
        {
            if (policy.Match.Matches(ns, namespaceLabels, podLabels) && policy.Selects(image))
            {
                yield return policy.Id;
            }
        }
    }

    /// <summary>Every Secret that a <c>signatures</c> rule of these policies reads keys from (what cluster mode watches).</summary>
    public IEnumerable<Signatures.SecretKeyReference> SignatureKeySecrets =>
        Policies.SelectMany(p => p.Rules.OfType<Evaluation.Rules.Signatures.SignatureRule>()).SelectMany(r => r.Requirement.Secrets);

    public int SourceCount => Sources.Count;
}
