using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>
/// A workload UPDATE whose pod template is unchanged, as admission reads it, is not judged again (a scale or a status
/// write must not be denied for images that already run). What counts: images, template labels, pull secrets and the
/// service account, whose pull secrets the registry lookups use.
/// </summary>
public class UpdateScopeTests
{
    private static WorkloadObject Deployment(string image = "nginx:1.25", string app = "web", string? serviceAccount = "builder", params string?[] pullSecrets) =>
        new()
        {
            Spec = new WorkloadSpec
            {
                Template = new PodTemplate
                {
                    Metadata = new WorkloadMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
                    Spec = new WorkloadSpec
                    {
                        Containers = [new ContainerSpec { Name = "web", Image = image }],
                        ServiceAccountName = serviceAccount,
                        ImagePullSecrets = pullSecrets.Length == 0 ? null : [.. pullSecrets.Select(n => new LocalObjectReference { Name = n })],
                    },
                },
            },
        };

    [Fact]
    public void TemplateUnchanged_SameTemplateOtherWorkloadLabels_IsUnchanged()
    {
        // The Deployment's own labels are not the pod template's: relabelling the workload changes nothing admission reads.
        var relabelled = Deployment(pullSecrets: "regcred");
        relabelled.Metadata = new WorkloadMeta { Labels = new Dictionary<string, string> { ["release"] = "2" } };

        Assert.True(UpdateScope.TemplateUnchanged("Deployment", relabelled, Deployment(pullSecrets: "regcred")));
    }

    [Fact]
    public void TemplateUnchanged_OnlyServiceAccountChanged_IsChanged() =>
        Assert.False(UpdateScope.TemplateUnchanged("Deployment", Deployment(serviceAccount: "deployer"), Deployment(serviceAccount: "builder")));

    [Fact]
    public void TemplateUnchanged_ServiceAccountSetWhereThereWasNone_IsChanged() =>
        Assert.False(UpdateScope.TemplateUnchanged("Deployment", Deployment(serviceAccount: "builder"), Deployment(serviceAccount: null)));

    [Theory]
    [InlineData(new[] { "regcred" }, new string[0])]
    [InlineData(new string[0], new[] { "regcred" })]
    [InlineData(new[] { "other" }, new[] { "regcred" })]
    [InlineData(new[] { "a", "b" }, new[] { "b", "a" })]
    public void TemplateUnchanged_OnlyPullSecretsChanged_IsChanged(string[] now, string[] before) =>
        Assert.False(UpdateScope.TemplateUnchanged("Deployment", Deployment(pullSecrets: now), Deployment(pullSecrets: before)));

    [Fact]
    public void TemplateUnchanged_ImageChanged_IsChanged() =>
        Assert.False(UpdateScope.TemplateUnchanged("Deployment", Deployment(image: "nginx:1.26"), Deployment(image: "nginx:1.25")));

    [Fact]
    public void TemplateUnchanged_TemplateLabelValueChanged_IsChanged() =>
        Assert.False(UpdateScope.TemplateUnchanged("Deployment", Deployment(app: "api"), Deployment(app: "web")));
}
