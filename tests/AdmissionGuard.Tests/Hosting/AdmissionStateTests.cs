using AdmissionGuard.Hosting;

namespace AdmissionGuard.Tests.Hosting;

public class AdmissionStateTests
{
    [Fact]
    public void LabelsOf_NamespaceWithoutObjectInLocalMode_OnlyTheNameLabel()
    {
        var labels = AdmissionState.NotLoaded.LabelsOf("team-a");

        Assert.NotNull(labels);
        Assert.Equal([KeyValuePair.Create("kubernetes.io/metadata.name", "team-a")], labels);
        var count = labels.Count;
        Assert.Equal(1, count);
        Assert.Equal("team-a", labels["kubernetes.io/metadata.name"]);
        Assert.True(labels.ContainsKey("kubernetes.io/metadata.name"));
        Assert.False(labels.ContainsKey("env"));
        Assert.False(labels.TryGetValue("env", out _));
        Assert.Throws<KeyNotFoundException>(() => labels["env"]);
        Assert.Equal(["kubernetes.io/metadata.name"], labels.Keys);
        Assert.Equal(["team-a"], labels.Values);
    }

    [Fact]
    public void LabelsOf_UnknownNamespaceInClusterMode_Null()
    {
        var state = AdmissionState.NotLoaded with { NamespacesComplete = true };

        Assert.Null(state.LabelsOf("created-a-moment-ago"));
    }
}
