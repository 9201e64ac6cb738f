using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>
/// A namespace known only by its name has exactly the one label the API server sets on every namespace
/// (<c>kubernetes.io/metadata.name</c>), read the same way as a full label set.
/// </summary>
public class NamespaceLabelsTests
{
    private const string NameLabel = "kubernetes.io/metadata.name";

    [Fact]
    public void NameOnly_HoldsOnlyTheNameLabel()
    {
        var labels = NamespaceLabels.NameOnly("payments");

        int count = labels.Count; // the property, not the enumeration's length
        Assert.Equal(1, count);
        Assert.Equal([NameLabel], labels.Keys);
        Assert.Equal(["payments"], labels.Values);
        Assert.Equal([new KeyValuePair<string, string>(NameLabel, "payments")], labels);
        Assert.Equal("payments", labels[NameLabel]);
        Assert.True(labels.ContainsKey(NameLabel));
        Assert.True(labels.TryGetValue(NameLabel, out var value));
        Assert.Equal("payments", value);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("payments")]
    [InlineData("Kubernetes.io/metadata.name")]
    [InlineData("")]
    public void NameOnly_AnyOtherKey_IsNotThere(string key)
    {
        var labels = NamespaceLabels.NameOnly("payments");

        Assert.False(labels.ContainsKey(key));
        Assert.False(labels.TryGetValue(key, out var value));
        Assert.Null(value);
        var error = Assert.Throws<KeyNotFoundException>(() => labels[key]);
        Assert.Contains($"\"{key}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NameOnly_ReadsAsTheFullSetOfANamespaceWithoutLabels()
    {
        var full = NamespaceLabels.Of("payments");

        Assert.Equal(full.OrderBy(p => p.Key, StringComparer.Ordinal), NamespaceLabels.NameOnly("payments"));
        Assert.Equal(new Dictionary<string, string> { [NameLabel] = "payments", ["env"] = "prod" }, NamespaceLabels.Of("payments", new Dictionary<string, string> { ["env"] = "prod" }));
    }
}
