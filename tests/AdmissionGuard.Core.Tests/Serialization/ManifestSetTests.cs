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

    [Fact]
    public void AddText_OurKinds_AreSortedByKind()
    {
        var set = Read("""
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            metadata: {name: dhi}
            spec: {hardened: ["dhi.io/**"]}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: production}
            spec: {mode: Enforce}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ImagePolicy
            metadata: {name: team, namespace: prod}
            spec: {mode: Warn}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: ImageScan
            metadata: {name: sha256-1e19569fea08c6de312a4862d532eb7007b3098b}
            spec: {image: "docker.io/library/nginx:1.25"}
            """);
        Assert.Empty(set.Errors);
        Assert.Equal("dhi", Assert.Single(set.Sources).Metadata!.Name);
        Assert.Equal(["dhi.io/**"], set.Sources[0].Spec!.Hardened!);
        Assert.Equal(["production", "team"], set.Policies.Select(p => p.Metadata!.Name));
        Assert.Equal(["Enforce", "Warn"], set.Policies.Select(p => p.Spec!.Mode));
        Assert.Equal("docker.io/library/nginx:1.25", Assert.Single(set.Scans).Spec!.Image);
        Assert.Empty(set.Workloads);
    }

    [Theory]
    [InlineData("admissionguard.io.example.com/v1alpha1")]
    [InlineData("example.com/admissionguard.io/v1alpha1")]
    [InlineData("v1")]
    public void AddText_OurKindInAnotherGroup_IsAWorkload(string apiVersion)
    {
        var set = Read($"apiVersion: {apiVersion}\nkind: HardenedImageSource\nmetadata: {{name: x}}\n---\napiVersion: {apiVersion}\nkind: ImageScan\nmetadata: {{name: y}}\n---\napiVersion: {apiVersion}\nkind: ImagePolicy\nmetadata: {{name: z}}\n");
        Assert.Empty(set.Errors);
        Assert.Empty(set.Sources);
        Assert.Empty(set.Scans);
        Assert.Empty(set.Policies);
        Assert.Equal(["HardenedImageSource", "ImageScan", "ImagePolicy"], set.Workloads.Select(w => w.Kind));
    }

    [Fact]
    public void AddText_ApiVersionNotAString_IsNotOurs()
    {
        var set = Read("apiVersion: 1\nkind: ClusterImagePolicy\nmetadata: {name: x}\n");
        Assert.Empty(set.Policies);
        Assert.Equal("ClusterImagePolicy", Assert.Single(set.Workloads).Kind);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: 5\nmetadata: {name: a}\n")]
    [InlineData("apiVersion: v1\nkind: [Pod]\nmetadata: {name: a}\n")]
    [InlineData("apiVersion: v1\nkind: \"\"\nmetadata: {name: a}\n")]
    public void AddText_KindNotANonEmptyString_IsMissing(string yaml)
    {
        var set = Read(yaml);
        Assert.Equal(["input.yaml: kind is missing"], set.Errors);
        Assert.Empty(set.Workloads);
    }

    [Theory]
    [InlineData("PodList")]
    [InlineData("DeploymentList")]
    public void AddText_TypedList_AddsItsItems(string kind)
    {
        var set = Read($"apiVersion: v1\nkind: {kind}\nitems:\n  - {{apiVersion: v1, kind: Pod, metadata: {{name: a}}}}\n  - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: b}}}}\n");
        Assert.Empty(set.Errors);
        Assert.Equal(["input.yaml.items[0]", "input.yaml.items[1]"], set.Workloads.Select(w => w.Origin));
    }

    [Fact]
    public void AddText_ListItemsNotAnArray_IsAnError()
    {
        var set = Read("apiVersion: v1\nkind: List\nitems: {a: 1}\n");
        Assert.Equal(["input.yaml: List without items"], set.Errors);
    }

    [Fact]
    public void AddText_NamespaceOfAnotherApiVersion_IsAWorkload()
    {
        var set = Read("apiVersion: v2\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n");
        Assert.Empty(set.NamespaceLabels);
        Assert.Equal("Namespace", Assert.Single(set.Workloads).Kind);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Namespace\n")]
    [InlineData("apiVersion: v1\nkind: Namespace\nmetadata: {name: \"\"}\n")]
    public void AddText_NamespaceWithoutMetadataOrEmptyName_IsAnError(string yaml)
    {
        var set = Read(yaml);
        Assert.Equal(["input.yaml: Namespace without metadata.name"], set.Errors);
        Assert.Empty(set.NamespaceLabels);
    }

    [Fact]
    public void AddText_BadFieldInPolicy_NamesOriginKindNameAndField()
    {
        var set = Read("""
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: team}
            spec:
              rules:
                tags: {disallowed: latest}
            ---
            apiVersion: admissionguard.io/v1alpha1
            kind: HardenedImageSource
            spec: {hardend: []}
            """);
        Assert.Equal(
            [
                "input.yaml#1: ClusterImagePolicy \"team\": spec.rules.tags.disallowed: expected a list of strings",
                "input.yaml#2: HardenedImageSource <unnamed>: spec.hardend: unknown field \"hardend\"; did you mean \"hardened\"?",
            ],
            set.Errors);
        Assert.Empty(set.Policies);
        Assert.Empty(set.Sources);
    }

    [Theory]
    [InlineData("metadata: [team]")]
    [InlineData("metadata: {name: 5}")]
    [InlineData("metadata: {namespace: prod}")]
    public void AddText_BadFieldInObjectWithoutStringName_IsUnnamed(string metadata)
    {
        var set = Read($"apiVersion: v1\nkind: Pod\n{metadata}\nspec: {{containers: web}}\n");
        var error = Assert.Single(set.Errors);
        Assert.StartsWith("input.yaml: Pod <unnamed>: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AddText_BadFieldInWorkload_IsAnErrorNotAWorkload()
    {
        var set = Read("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: {name: web}}\n");
        Assert.Equal(["input.yaml: Pod \"web\": spec.containers: expected a list"], set.Errors);
        Assert.Empty(set.Workloads);
    }

    [Fact]
    public void Add_Element_UsesTheOriginAsSource()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}""");
        var set = new ManifestSet();
        set.Add(document.RootElement, "cluster");
        var workload = Assert.Single(set.Workloads);
        Assert.Equal(("Pod", "cluster", "cluster", "a"), (workload.Kind, workload.Origin, workload.Source, workload.Object.Metadata!.Name));
    }

    [Fact]
    public void Add_ElementNotAnObject_IsAnError()
    {
        using var document = System.Text.Json.JsonDocument.Parse("\"Pod\"");
        var set = new ManifestSet();
        set.Add(document.RootElement, "cluster");
        Assert.Equal(["cluster: expected an object, found String"], set.Errors);
    }

    [Fact]
    public void AddText_SingleDocument_IsNamedByTheInputAlone()
    {
        var set = Read("---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n");
        Assert.Equal(("input.yaml", "input.yaml"), (Assert.Single(set.Workloads).Origin, set.Workloads[0].Source));
    }

    [Fact]
    public void AddText_NestingOneLevelTooDeep_IsAnErrorNotAnException()
    {
        // 65 levels: the YAML reader used to let this through, and JsonDocument then threw past every caller.
        var set = Read("kind: Pod\nspec: " + new string('[', 64) + new string(']', 64) + "\n");
        var error = Assert.Single(set.Errors);
        Assert.StartsWith("input.yaml: invalid YAML at line 2", error, StringComparison.Ordinal);
        Assert.Contains("nesting deeper than 64 levels", error, StringComparison.Ordinal);
        Assert.Empty(set.Workloads);
    }
}
