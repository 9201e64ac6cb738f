using AdmissionGuard.Evaluation;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Serialization;

public class ManifestSetTests
{
    private static ManifestSet Read(string yaml)
    {
        var set = new ManifestSet();
        set.AddText(yaml, "input.yaml");
        return set;
    }

    [Fact]
    public void AddText_List_AddsEveryItemByKind()
    {
        var set = Read("""
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: prod}, spec: {containers: [{name: web, image: nginx}]}}
              - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}, spec: {template: {spec: {containers: [{name: web, image: redis}]}}}}
              - {apiVersion: v1, kind: Namespace, metadata: {name: prod, labels: {env: prod}}}
              - apiVersion: v1
                kind: List
                items:
                  - {apiVersion: batch/v1, kind: Job, metadata: {name: c}}
            """);
        Assert.Empty(set.Errors);
        Assert.Equal(["Pod", "Deployment", "Job"], set.Workloads.Select(w => w.Kind));
        Assert.Equal("input.yaml.items[0]", set.Workloads[0].Origin);
        Assert.Equal("input.yaml.items[3].items[0]", set.Workloads[2].Origin);
        Assert.Equal("nginx", set.Workloads[0].Object.Spec!.Containers![0].Image);
        Assert.Equal("prod", set.LabelsOf("prod")["env"]);
    }

    [Fact]
    public void AddText_ListItemsAndLaterDocuments_KeepTheInputAsSource()
    {
        var set = Read("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: Pod, metadata: {name: b}}
            """);
        Assert.Empty(set.Errors);
        Assert.Equal(["input.yaml#1", "input.yaml#2.items[0]"], set.Workloads.Select(w => w.Origin));
        Assert.Equal(["input.yaml", "input.yaml"], set.Workloads.Select(w => w.Source));
    }

    [Fact]
    public void AddText_ListWithoutItems_IsAnError()
    {
        var set = Read("apiVersion: v1\nkind: List\n");
        Assert.Contains("input.yaml: List without items", set.Errors);
        Assert.Empty(set.Workloads);
    }

    [Fact]
    public void AddText_MultiDocument_NamesDocumentsInErrors()
    {
        var set = Read("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nmetadata: {name: b}\n---\n- 1\n");
        Assert.Single(set.Workloads);
        Assert.Equal(["input.yaml#2: kind is missing", "input.yaml#3: expected an object, found Array"], set.Errors);
    }

    [Fact]
    public void LabelsOf_Namespace_HasItsLabelsAndTheNameLabel()
    {
        var set = Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod, team: pay}}\n");
        var labels = set.LabelsOf("prod");
        Assert.Equal(3, labels.Count);
        Assert.Equal("prod", labels["env"]);
        Assert.Equal("pay", labels["team"]);
        Assert.Equal("prod", labels[PolicyEngine.MetadataNameLabel]);
    }

    [Fact]
    public void LabelsOf_ForgedNameLabel_IsOverwrittenByTheRealName()
    {
        var set = Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: dev, labels: {kubernetes.io/metadata.name: prod}}\n");
        Assert.Equal("dev", set.LabelsOf("dev")[PolicyEngine.MetadataNameLabel]);
    }

    [Fact]
    public void LabelsOf_UndeclaredNamespace_HasOnlyTheNameLabel()
    {
        var set = Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n");
        var labels = set.LabelsOf("scratch");
        var label = Assert.Single(labels);
        Assert.Equal(PolicyEngine.MetadataNameLabel, label.Key);
        Assert.Equal("scratch", label.Value);
    }

    [Fact]
    public void AddText_NamespaceWithoutName_IsAnError()
    {
        var set = Read("apiVersion: v1\nkind: Namespace\nmetadata: {labels: {env: prod}}\n");
        Assert.Equal(["input.yaml: Namespace without metadata.name"], set.Errors);
        Assert.Empty(set.NamespaceLabels);
    }

    [Fact]
    public void AddText_ForeignApiGroupWithOurKind_IsAWorkloadNotAPolicy()
    {
        var set = Read("apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata: {name: x}\n");
        Assert.Empty(set.Policies);
        Assert.Equal("ClusterImagePolicy", Assert.Single(set.Workloads).Kind);
    }

    [Fact]
    public void AddText_UnclosedFlowSequence_IsAnErrorNotAnException()
    {
        var set = Read("kind: Pod\nspec: {containers: [{image: nginx}\n");
        var error = Assert.Single(set.Errors);
        Assert.StartsWith("input.yaml: invalid YAML at line", error, StringComparison.Ordinal);
        Assert.Empty(set.Workloads);
    }

    [Fact]
    public void AddText_BadYaml_IsOneErrorWithOrigin()
    {
        var set = Read("a: 1\na: 2\n");
        var error = Assert.Single(set.Errors);
        Assert.StartsWith("input.yaml: invalid YAML at line 2", error, StringComparison.Ordinal);
    }
}
