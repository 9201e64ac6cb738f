using AdmissionGuard.Chart.Tests.Support;
using AdmissionGuard.Policies;
using k8s.Models;

namespace AdmissionGuard.Chart.Tests;

/// <summary>A first install observes and cannot hurt; one value, <c>enforce</c>, turns the cluster to enforcing.</summary>
public class FirstInstallTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("install")]
    [InlineData("in-default")]
    public void Defaults_PolicyAuditsAndNobodyIsToldToFailClosed(string render)
    {
        var args = Renders.OfType<V1Deployment>(render).Single().Spec.Template.Spec.Containers.Single().Args;

        Assert.Equal("Audit", Renders.OfType<ImagePolicy>(render).Single().Spec!.Mode);
        Assert.Equal("Ignore", Renders.OfType<V1ValidatingWebhookConfiguration>(render).Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io").FailurePolicy);
        Assert.DoesNotContain("--fail-closed-webhook", args);
    }

    [Fact]
    public void Enforce_PolicyEnforcesAndTheControllerSwitchesItsOwnWebhookToFail()
    {
        var args = Renders.OfType<V1Deployment>("enforce").Single().Spec.Template.Spec.Containers.Single().Args.ToList();
        var validating = Renders.OfType<V1ValidatingWebhookConfiguration>("enforce").Single();

        Assert.Equal("Enforce", Renders.OfType<ImagePolicy>("enforce").Single().Spec!.Mode);
        // Rendered Ignore all the same: fail-closed only once AdmissionGuard answers.
        Assert.Equal("Ignore", validating.Webhooks.Single(w => w.Name == "validate.admissionguard.io").FailurePolicy);
        var flag = args.IndexOf("--fail-closed-webhook");
        Assert.True(flag >= 0, string.Join(" ", args));
        Assert.Equal(validating.Metadata.Name, args[flag + 1]);
        // Only the workload webhook is switched; the policy webhook stays Ignore (a down controller never blocks editing policies).
        Assert.Equal(["policies.admissionguard.io", "validate.admissionguard.io"], validating.Webhooks.Select(w => w.Name).Order());
        Assert.Equal("Ignore", validating.Webhooks.Single(w => w.Name == "policies.admissionguard.io").FailurePolicy);
        var rule = Assert.Single(Renders.OfType<V1ClusterRole>("enforce").Single().Rules, r => r.Resources.Contains("validatingwebhookconfigurations"));
        Assert.Equal([validating.Metadata.Name], rule.ResourceNames);
        Assert.Contains("patch", rule.Verbs);
    }

    [Fact]
    public void AllOptions_FailurePolicyFailWithCertManager_GrantsPatchOnTheValidatingWebhookOnlyByName()
    {
        var args = Renders.OfType<V1Deployment>("all-options").Single().Spec.Template.Spec.Containers.Single().Args.ToList();
        var rule = Assert.Single(Renders.OfType<V1ClusterRole>("all-options").Single().Rules, r => r.ApiGroups.Contains("admissionregistration.k8s.io"));

        Assert.Equal("ag", args[args.IndexOf("--fail-closed-webhook") + 1]);
        Assert.Equal(["validatingwebhookconfigurations"], rule.Resources);
        Assert.Equal(["ag"], rule.ResourceNames);
        Assert.Equal(["get", "patch"], rule.Verbs);
    }

    [Fact]
    public void InstallIntoDefault_DefaultIsJudgedWhileTheClusterStillRecovers()
    {
        foreach (var selector in new[]
                 {
                     Renders.OfType<V1ValidatingWebhookConfiguration>("in-default").Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io").NamespaceSelector,
                     Renders.OfType<V1MutatingWebhookConfiguration>("in-default").Single().Webhooks.Single().NamespaceSelector,
                 })
        {
            Assert.Equal(["kube-system", "kube-node-lease"], selector.MatchExpressions.Single().Values);
        }

        var policy = Renders.OfType<ImagePolicy>("in-default").Single();
        Assert.DoesNotContain("default", policy.Spec!.Match!.ExcludeNamespaces!);
        Assert.Contains("kube-system", policy.Spec.Match.ExcludeNamespaces!);
        Assert.Contains("is NOT exempt", RepoPaths.ReadNotes("in-default"), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_ReleaseNamespaceAndRecoveryNamespacesExcludedFromWebhooksAndPolicy()
    {
        var selector = Renders.OfType<V1ValidatingWebhookConfiguration>("default").Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io").NamespaceSelector;
        var policy = Renders.OfType<ImagePolicy>("default").Single();

        Assert.Equal(["kube-system", "kube-node-lease", Renders.ReleaseNamespace], selector.MatchExpressions.Single().Values);
        Assert.Equal(["kube-system", "kube-node-lease", Renders.ReleaseNamespace], policy.Spec!.Match!.ExcludeNamespaces);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Audit_RbacListsPodsAndManagesPolicyReportsOnly(string render)
    {
        var rules = Renders.OfType<V1ClusterRole>(render).Single().Rules;

        var pods = Assert.Single(rules, r => r.Resources.Contains("pods"));
        Assert.Equal(["list"], pods.Verbs);
        Assert.Equal([""], pods.ApiGroups);
        var reports = Assert.Single(rules, r => r.ApiGroups.Contains("wgpolicyk8s.io"));
        Assert.Equal(["policyreports"], reports.Resources);
        Assert.Equal(["get", "list", "create", "update", "delete"], reports.Verbs);
        var args = Renders.OfType<V1Deployment>(render).Single().Spec.Template.Spec.Containers.Single().Args.ToList();
        Assert.Equal(render == "all-options" ? "5m" : "10m", args[args.IndexOf("--audit-interval") + 1]);
        Assert.Equal("100", args[args.IndexOf("--decision-log-rate") + 1]);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void PolicyReportCrd_RenderedWhenTheClusterLacksIt_AsTheWgPolicyApiDefinesIt(string render)
    {
        var crd = Assert.Single(Renders.OfType<V1CustomResourceDefinition>(render), c => c.Metadata.Name == "policyreports.wgpolicyk8s.io");

        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal("PolicyReport", crd.Spec.Names.Kind);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("v1alpha2", version.Name);
        var result = k8s.KubernetesJson.Deserialize<V1JSONSchemaProps>(k8s.KubernetesJson.Serialize(version.Schema.OpenAPIV3Schema.Properties["results"].Items));
        Assert.Equal(["pass", "fail", "warn", "error", "skip"], result.Properties["result"].EnumProperty.Select(e => e.ToString()));
        foreach (var field in new[] { "policy", "rule", "severity", "message", "resources", "properties", "timestamp", "source", "scored" })
        {
            Assert.True(result.Properties.ContainsKey(field), field);
        }

        Assert.Equal(["pass", "fail", "warn", "error", "skip"], version.Schema.OpenAPIV3Schema.Properties["summary"].Properties.Keys);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("in-default")]
    public void Notes_Observing_TellExactlyHowToSeeWhatAuditFound(string notes)
    {
        var text = RepoPaths.ReadNotes(notes);

        Assert.Contains("It OBSERVES", text, StringComparison.Ordinal);
        Assert.Contains("logs -l app.kubernetes.io/instance=admission-guard --tail=-1 | jq -R 'fromjson? | select(.decision)'", text, StringComparison.Ordinal);
        Assert.Contains("kubectl get policyreports -A", text, StringComparison.Ordinal);
        Assert.Contains("--set enforce=true", text, StringComparison.Ordinal);
        Assert.DoesNotContain("grep -i violation", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_Enforce_SayItEnforces()
    {
        var text = RepoPaths.ReadNotes("enforce");

        Assert.Contains("It ENFORCES", text, StringComparison.Ordinal);
        Assert.Contains("kubectl get policyreports -A", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--set enforce=true", text, StringComparison.Ordinal);
    }
}
