namespace AdmissionGuard.Policies;

/// <summary>
/// A policy's <c>spec.match</c>, compiled: which workloads it concerns. Valid and invalid policies keep
/// one, so an invalid policy's warning reaches exactly the admissions it would have judged.
/// </summary>
internal sealed class CompiledMatch
{
    /// <summary>The namespace of an ImagePolicy (it applies only there); null for a cluster policy.</summary>
    public string? Namespace { get; init; }
    public required CompiledSelector NamespaceSelector { get; init; }
    public required NameGlob[] Namespaces { get; init; }
    public required NameGlob[] ExcludeNamespaces { get; init; }
    public required CompiledSelector PodSelector { get; init; }

    /// <summary>Unknown namespace labels (null) never mean "no match": the policy stays and fails closed.</summary>
    public bool Matches(string ns, IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels) =>
        MatchesNamespaceName(ns) && MatchesLabels(namespaceLabels, podLabels);

    /// <summary>The part of the match that reads only the namespace's name: what <see cref="PolicySnapshot.CandidatesFor"/> indexes.</summary>
    public bool MatchesNamespaceName(string ns) =>
        (Namespace is null || string.Equals(Namespace, ns, StringComparison.Ordinal))
        && (Namespaces.Length == 0 || NameGlob.AnyMatch(Namespaces, ns))
        && !NameGlob.AnyMatch(ExcludeNamespaces, ns);

    /// <summary>The rest of the match: the namespace's labels and the Pod's.</summary>
    public bool MatchesLabels(IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels) =>
        (NamespaceSelector.IsEmpty || namespaceLabels is null || NamespaceSelector.Matches(namespaceLabels))
        && PodSelector.Matches(podLabels);
}
