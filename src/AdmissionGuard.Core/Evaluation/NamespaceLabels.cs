namespace AdmissionGuard.Evaluation;

/// <summary>A namespace's labels as a selector sees them: its own, plus the name label the API server always sets.</summary>
public static class NamespaceLabels
{
    public static Dictionary<string, string> Of(string name, IDictionary<string, string>? labels = null) =>
        new(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [PolicyEngine.MetadataNameLabel] = name };

    /// <summary>The labels of a namespace known only by its name (no Namespace object read): just the name label.</summary>
    public static IReadOnlyDictionary<string, string> NameOnly(string name) => new NameOnlyLabels(name);
}
