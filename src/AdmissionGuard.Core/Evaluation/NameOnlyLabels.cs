using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Evaluation;

/// <summary>
/// The labels of a namespace known only by its name: just <c>kubernetes.io/metadata.name</c>, as
/// <see cref="NamespaceLabels.Of"/> would give them, in one small object instead of a dictionary per request.
/// </summary>
internal sealed class NameOnlyLabels(string name) : IReadOnlyDictionary<string, string>
{
    public int Count => 1;

    public IEnumerable<string> Keys => [PolicyEngine.MetadataNameLabel];

    public IEnumerable<string> Values => [name];

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"label \"{key}\" not set");

    public bool ContainsKey(string key) => string.Equals(key, PolicyEngine.MetadataNameLabel, StringComparison.Ordinal);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        value = ContainsKey(key) ? name : null;
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        yield return KeyValuePair.Create(PolicyEngine.MetadataNameLabel, name);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
