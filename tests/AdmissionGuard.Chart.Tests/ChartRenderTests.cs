using AdmissionGuard.Chart.Tests.Foreign;
using AdmissionGuard.Chart.Tests.Support;
using AdmissionGuard.Policies;
using k8s.Models;

namespace AdmissionGuard.Chart.Tests;

public class ChartRenderTests
{
    private static readonly string[] WorkloadResources =
    [
        "pods", "pods/ephemeralcontainers", "replicationcontrollers",
        "apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets",
        "batch/jobs", "batch/cronjobs",
    ];

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Render_EveryObject_ParsesIntoTypedModelWithUnknownFieldsRejected(string render)
    {
        var objects = Renders.Load(render);

        Assert.NotEmpty(objects);
        Assert.Single(objects.OfType<V1Deployment>());
        Assert.Single(objects.OfType<V1ValidatingWebhookConfiguration>());
        Assert.Single(objects.OfType<V1MutatingWebhookConfiguration>());
        // Our four, and the PolicyReport CRD (helm template cannot look the cluster up, so it renders).
        Assert.Equal(5, objects.OfType<V1CustomResourceDefinition>().Count());
    }

    [Fact]
    public void KubeObjects_UnknownField_IsRejected()
    {
        // Guards the guard: if strict parsing silently stopped rejecting typos, every other test here would lie.
        const string yaml = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\nautomountServiceAccountTokn: false\n";

        var error = Assert.ThrowsAny<Exception>(() => KubeObjects.LoadAll(yaml));

        Assert.Contains("automountServiceAccountTokn", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void WebhookConfigurations_NamespaceSelector_ExcludesKubeSystemAndReleaseNamespaceByMetadataName(string render)
    {
        // The workload webhooks; the policy webhook judges cluster-scoped kinds too and never fails closed.
        var selectors = Renders.OfType<V1ValidatingWebhookConfiguration>(render).SelectMany(c => c.Webhooks).Where(w => w.Name != "policies.admissionguard.io").Select(w => w.NamespaceSelector)
            .Concat(Renders.OfType<V1MutatingWebhookConfiguration>(render).SelectMany(c => c.Webhooks).Select(w => w.NamespaceSelector))
            .ToList();

        Assert.Equal(2, selectors.Count);
        foreach (var selector in selectors)
        {
            Assert.NotNull(selector);
            Assert.Null(selector.MatchLabels);
            var excluded = Assert.Single(selector.MatchExpressions, e => e.Key == "kubernetes.io/metadata.name");
            Assert.Equal("NotIn", excluded.OperatorProperty);
            Assert.Contains("kube-system", excluded.Values);
            Assert.Contains(Renders.ReleaseNamespace, excluded.Values);
        }
    }

    [Fact]
    public void WebhookConfigurations_AllOptions_AlsoExcludeConfiguredNamespaces()
    {
        var selector = Renders.OfType<V1ValidatingWebhookConfiguration>("all-options").Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io").NamespaceSelector;

        var excluded = Assert.Single(selector.MatchExpressions).Values;

        Assert.Equal(["kube-system", "kube-node-lease", Renders.ReleaseNamespace, "cert-manager", "monitoring"], excluded);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void WebhookRules_CoverPodsEphemeralContainersAndEveryWorkloadKind(string render)
    {
        var validating = Renders.OfType<V1ValidatingWebhookConfiguration>(render).Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io");
        var mutating = Assert.Single(Renders.OfType<V1MutatingWebhookConfiguration>(render).Single().Webhooks);

        foreach (var rules in new[] { validating.Rules, mutating.Rules })
        {
            var covered = rules
                .Where(r => r.Operations.Contains("CREATE") && r.Operations.Contains("UPDATE"))
                .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => g.Length == 0 ? res : $"{g}/{res}")))
                .ToHashSet();
            foreach (var resource in WorkloadResources)
            {
                Assert.Contains(resource, covered);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void PolicyWebhook_JudgesOurThreeKindsOnCreateAndUpdate_AndNeverFailsClosed(string render)
    {
        var configuration = Renders.OfType<V1ValidatingWebhookConfiguration>(render).Single();
        var workloads = configuration.Webhooks.Single(w => w.Name == "validate.admissionguard.io");
        var policies = configuration.Webhooks.Single(w => w.Name == "policies.admissionguard.io");

        Assert.Equal("Ignore", policies.FailurePolicy);
        Assert.Equal("/validate-policy", policies.ClientConfig.Service.Path);
        Assert.Equal(workloads.ClientConfig.Service.Name, policies.ClientConfig.Service.Name);
        Assert.Equal(workloads.ClientConfig.Service.Port, policies.ClientConfig.Service.Port);
        Assert.Equal(workloads.ClientConfig.CaBundle, policies.ClientConfig.CaBundle);
        Assert.Equal("None", policies.SideEffects);
        Assert.Equal(["v1"], policies.AdmissionReviewVersions);
        var rule = Assert.Single(policies.Rules);
        Assert.Equal(["admissionguard.io"], rule.ApiGroups);
        Assert.Equal(["v1alpha1"], rule.ApiVersions);
        Assert.Equal(["CREATE", "UPDATE"], rule.Operations);
        Assert.Equal(["hardenedimagesources", "clusterimagepolicies", "imagepolicies"], rule.Resources);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Webhooks_UseV1ReviewsWithoutSideEffects_AndTheSafeFailurePolicies(string render)
    {
        var validating = Renders.OfType<V1ValidatingWebhookConfiguration>(render).Single().Webhooks.Single(w => w.Name == "validate.admissionguard.io");
        var mutating = Assert.Single(Renders.OfType<V1MutatingWebhookConfiguration>(render).Single().Webhooks);

        // Never rendered fail-closed: AdmissionGuard switches it to Fail itself once it answers (enforce).
        Assert.Equal("Ignore", validating.FailurePolicy);
        Assert.Equal("Ignore", mutating.FailurePolicy);
        Assert.Equal("IfNeeded", mutating.ReinvocationPolicy);
        Assert.Equal("/validate", validating.ClientConfig.Service.Path);
        Assert.Equal("/mutate", mutating.ClientConfig.Service.Path);
        Assert.Equal(["v1"], validating.AdmissionReviewVersions);
        Assert.Equal(["v1"], mutating.AdmissionReviewVersions);
        Assert.Equal("None", validating.SideEffects);
        Assert.Equal("None", mutating.SideEffects);
        Assert.Equal("Equivalent", validating.MatchPolicy);
        Assert.Equal("Equivalent", mutating.MatchPolicy);
        Assert.Equal(render == "all-options" ? 10 : 5, validating.TimeoutSeconds);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Pods_RunNonRootWithReadOnlyRootFilesystemAndNoCapabilities(string render)
    {
        var pod = Renders.OfType<V1Deployment>(render).Single().Spec.Template.Spec;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.NotEmpty(pod.Containers);
        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            var sc = container.SecurityContext;
            Assert.NotNull(sc);
            Assert.True(sc.ReadOnlyRootFilesystem, $"{container.Name}: readOnlyRootFilesystem");
            Assert.False(sc.AllowPrivilegeEscalation ?? true, $"{container.Name}: allowPrivilegeEscalation");
            Assert.NotEqual(true, sc.Privileged);
            Assert.Contains("ALL", sc.Capabilities.Drop);
            Assert.True(sc.Capabilities.Add is null || sc.Capabilities.Add.Count == 0);
            Assert.NotEqual(false, sc.RunAsNonRoot);
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Rbac_GrantsNoWildcardVerbsResourcesOrApiGroups(string render)
    {
        var rules = Renders.OfType<V1ClusterRole>(render).SelectMany(r => r.Rules)
            .Concat(Renders.OfType<V1Role>(render).SelectMany(r => r.Rules))
            .ToList();

        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.DoesNotContain(rule.Verbs, v => v.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain(rule.Resources ?? [], r => r.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain(rule.ApiGroups ?? [], g => g.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain(rule.ResourceNames ?? [], n => n.Contains('*', StringComparison.Ordinal));
            Assert.Null(rule.NonResourceURLs);
            Assert.DoesNotContain(rule.Verbs, v => v is "deletecollection" or "escalate" or "bind" or "impersonate");
            // The audit deletes its own PolicyReport of a namespace without judged Pods; nothing else is ever deleted.
            if (rule.Verbs.Contains("delete"))
            {
                Assert.Equal(["wgpolicyk8s.io"], rule.ApiGroups);
                Assert.Equal(["policyreports"], rule.Resources);
            }
        }
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("cert-self-managed", true)]
    [InlineData("cert-cert-manager", false)]
    [InlineData("cert-secret", false)]
    public void Rbac_SecretsAndWebhookConfigurations_OnlyInSelfManagedModeAndOnlyByName(string render, bool selfManaged)
    {
        var clusterRules = Renders.OfType<V1ClusterRole>(render).Single().Rules;
        var roleRules = Renders.OfType<V1Role>(render).Single().Rules;

        var webhookRules = clusterRules.Where(r => r.ApiGroups.Contains("admissionregistration.k8s.io")).ToList();
        var secretRules = roleRules.Where(r => r.Resources.Contains("secrets")).ToList();
        Assert.DoesNotContain(clusterRules, r => r.Resources.Contains("secrets"));
        if (!selfManaged)
        {
            Assert.Empty(webhookRules);
            Assert.Empty(secretRules);
            return;
        }

        var webhook = Assert.Single(webhookRules);
        Assert.Equal(["admission-guard"], webhook.ResourceNames);
        Assert.Equal(["get", "patch"], webhook.Verbs);
        // create cannot be limited by name; everything else on Secrets is limited to our own.
        Assert.All(secretRules.Where(r => r.Verbs.Any(v => v != "create")), r => Assert.Equal(["admission-guard-tls"], r.ResourceNames));
        Assert.Contains(secretRules, r => r.Verbs.SequenceEqual(["create"]));
    }

    [Theory]
    [InlineData("default", false)]
    [InlineData("cert-secret", false)]
    [InlineData("all-options", true)]
    public void Rbac_WorkloadPullSecrets_ListWatchSecretsAndServiceAccountsOnlyWhenEnabled(string render, bool enabled)
    {
        var clusterRules = Renders.OfType<V1ClusterRole>(render).Single().Rules;
        var args = Renders.OfType<V1Deployment>(render).Single().Spec.Template.Spec.Containers.Single().Args;

        // Rules by name (signature key Secrets) are another grant, tested below.
        var pullRules = clusterRules.Where(r => r.ResourceNames is null && (r.Resources.Contains("secrets") || r.Resources.Contains("serviceaccounts"))).ToList();
        Assert.Equal(enabled, args.Contains("--workload-pull-secrets"));
        if (!enabled)
        {
            Assert.Empty(pullRules);
            return;
        }

        var rule = Assert.Single(pullRules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["secrets", "serviceaccounts"], rule.Resources);
        // Read only: no get by name (not needed), never a write.
        Assert.Equal(["list", "watch"], rule.Verbs);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Rbac_SignatureKeySecrets_OnlyTheNamedSecretsListedAndWatched(string render)
    {
        // all-options lists admission-guard/team-cosign, team-a/cosign (twice), team-a/release-cosign and the name cosign-pub.
        var allOptions = render == "all-options";
        var fullname = allOptions ? "ag" : "admission-guard";
        var roles = Renders.OfType<V1Role>(render).Where(r => r.Metadata.Name == fullname + "-signature-keys").ToList();
        var byName = Renders.OfType<V1ClusterRole>(render).Single().Rules.Where(r => r.Resources.Contains("secrets") && r.ResourceNames is not null).ToList();
        if (!allOptions)
        {
            Assert.Empty(roles);
            Assert.Empty(byName);
            return;
        }

        Assert.Equal(["admission-guard", "team-a"], roles.Select(r => r.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
        var names = roles.ToDictionary(r => r.Metadata.NamespaceProperty, r => Assert.Single(r.Rules));
        Assert.Equal(["team-cosign"], names["admission-guard"].ResourceNames);
        Assert.Equal(["cosign", "release-cosign"], names["team-a"].ResourceNames);
        var anyNamespace = Assert.Single(byName);
        Assert.Equal(["cosign-pub"], anyNamespace.ResourceNames);
        foreach (var rule in names.Values.Append(anyNamespace))
        {
            Assert.Equal([""], rule.ApiGroups);
            Assert.Equal(["secrets"], rule.Resources);
            // What ClusterSignatureKeys does: a list and a watch with fieldSelector metadata.name, no get, never a write.
            Assert.Equal(["list", "watch"], rule.Verbs);
        }

        foreach (var role in roles)
        {
            var binding = Assert.Single(Renders.OfType<V1RoleBinding>(render), b => b.Metadata.Name == role.Metadata.Name && b.Metadata.NamespaceProperty == role.Metadata.NamespaceProperty);
            Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal(("ServiceAccount", "admission-guard-sa", Renders.ReleaseNamespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Rbac_BindsTheDeploymentsServiceAccount(string render)
    {
        var deployment = Renders.OfType<V1Deployment>(render).Single();
        var account = deployment.Spec.Template.Spec.ServiceAccountName;

        Assert.Contains(Renders.OfType<V1ServiceAccount>(render), sa => sa.Metadata.Name == account);
        Assert.Contains(Renders.OfType<V1ClusterRoleBinding>(render), b => b.Subjects.Any(s => s.Name == account && s.NamespaceProperty == Renders.ReleaseNamespace));
        Assert.Contains(Renders.OfType<V1RoleBinding>(render), b => b.Subjects.Any(s => s.Name == account));
        Assert.True(deployment.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.False(Renders.OfType<V1ServiceAccount>(render).Single().AutomountServiceAccountToken);
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Deployment_RollsOutAndDrainsWithoutLosingTheWebhook(string render)
    {
        var deployment = Renders.OfType<V1Deployment>(render).Single();
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var timeout = Renders.OfType<V1ValidatingWebhookConfiguration>(render).Single().Webhooks[0].TimeoutSeconds!.Value;

        Assert.True(deployment.Spec.Replicas >= 2);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.NotEmpty(pod.TopologySpreadConstraints);
        var preStop = container.Lifecycle.PreStop.Sleep.Seconds;
        Assert.True(pod.TerminationGracePeriodSeconds > preStop + timeout, "grace period must outlast the preStop pause plus one admission timeout");
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("HTTPS", container.ReadinessProbe.HttpGet.Scheme);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("HTTPS", container.LivenessProbe.HttpGet.Scheme);
        Assert.Contains(container.Ports, p => p.Name == "https" && p.ContainerPort == 8443);
        Assert.Contains(container.Ports, p => p.Name == "metrics" && p.ContainerPort == 9090);
        Assert.Equal(["serve", "--listen", "0.0.0.0:8443", "--metrics-listen", "0.0.0.0:9090"], container.Args.Take(5));
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void PodDisruptionBudget_KeepsOneReplicaAndSelectsThePods(string render)
    {
        var deployment = Renders.OfType<V1Deployment>(render).Single();
        var pdb = Renders.OfType<V1PodDisruptionBudget>(render).Single();

        Assert.True(int.Parse(pdb.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.True(int.Parse(pdb.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture) < deployment.Spec.Replicas);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels);
    }

    [Theory]
    [InlineData("default", "self-managed")]
    [InlineData("cert-self-managed", "self-managed")]
    [InlineData("cert-cert-manager", "cert-manager")]
    [InlineData("cert-secret", "secret")]
    [InlineData("all-options", "cert-manager")]
    public void Certificates_EachMode_WiresTheCaBundleItsOwnWay(string render, string mode)
    {
        var objects = Renders.Load(render);
        var configs = objects.OfType<V1ValidatingWebhookConfiguration>().SelectMany(c => c.Webhooks.Select(w => (c.Metadata, w.ClientConfig)))
            .Concat(objects.OfType<V1MutatingWebhookConfiguration>().Select(c => (c.Metadata, c.Webhooks[0].ClientConfig)))
            .ToList();
        var certificates = objects.OfType<ForeignObject<CertificateSpec>>().ToList();

        foreach (var (metadata, clientConfig) in configs)
        {
            string? inject = null;
            metadata.Annotations?.TryGetValue("cert-manager.io/inject-ca-from", out inject);
            switch (mode)
            {
                case "self-managed":
                    Assert.Null(clientConfig.CaBundle);
                    Assert.Null(inject);
                    Assert.Empty(certificates);
                    break;
                case "cert-manager":
                    Assert.Null(clientConfig.CaBundle);
                    var certificate = Assert.Single(certificates);
                    Assert.Equal($"{certificate.Metadata!.NamespaceProperty}/{certificate.Metadata.Name}", inject);
                    Assert.Contains($"{clientConfig.Service.Name}.{clientConfig.Service.NamespaceProperty}.svc", certificate.Spec!.DnsNames!);
                    break;
                default:
                    Assert.NotEmpty(clientConfig.CaBundle);
                    Assert.Null(inject);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.Defaults), MemberType = typeof(Renders))]
    public void DefaultContent_ClusterImagePolicyAuditsAndTheTwoSourcesExist(string render)
    {
        var policy = Assert.Single(Renders.OfType<ImagePolicy>(render));
        var sources = Renders.OfType<HardenedImageSource>(render).Select(s => s.Metadata!.Name!).ToList();

        Assert.Equal(ImagePolicy.ClusterKind, policy.Kind);
        Assert.Equal("Audit", policy.Spec!.Mode);
        Assert.Equal(["docker-hardened-images", "hardened-tag-suffix"], sources);
        Assert.Equal(sources, policy.Spec.Rules!.Hardened!.Sources);
    }

    [Fact]
    public void AllOptions_RendersTheOptionalObjects()
    {
        var objects = Renders.Load("all-options");
        var pod = objects.OfType<V1Deployment>().Single().Spec.Template.Spec;

        Assert.Single(objects.OfType<ForeignObject<ServiceMonitorSpec>>());
        Assert.Single(objects.OfType<V1NetworkPolicy>());
        Assert.Empty(objects.OfType<ForeignObject<IssuerSpec>>()); // an issuerRef was given
        Assert.Equal("platform-critical", pod.PriorityClassName);
        Assert.NotEmpty(pod.Tolerations);
        Assert.NotNull(pod.Affinity);
        Assert.Contains("--log-level=debug", pod.Containers[0].Args);
        Assert.Contains(pod.Containers[0].Env, e => e.Name == "DOTNET_gcServer");
        Assert.Equal("Enforce", objects.OfType<ImagePolicy>().Single().Spec!.Mode);
    }

    [Fact]
    public void InstallYaml_StartsWithTheReleaseNamespace()
    {
        var first = Renders.Load("install")[0];

        var ns = Assert.IsType<V1Namespace>(first);
        Assert.Equal(Renders.ReleaseNamespace, ns.Metadata.Name);
        Assert.All(Renders.Load("install").OfType<V1Deployment>(), d => Assert.Equal(Renders.ReleaseNamespace, d.Metadata.NamespaceProperty));
    }

    [Fact]
    public void AllOptions_GrafanaDashboardConfigMap_CarriesTheSidecarLabelAndTheDashboard()
    {
        var map = Assert.Single(Renders.OfType<V1ConfigMap>("all-options"), m => m.Metadata.Name == "ag-dashboard");

        Assert.Equal("1", map.Metadata.Labels["grafana_dashboard"]);
        using var dashboard = System.Text.Json.JsonDocument.Parse(map.Data["admissionguard.json"]);
        Assert.Equal("admissionguard", dashboard.RootElement.GetProperty("uid").GetString());
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()))
            .ToList();
        Assert.Equal(19, exprs.Count);
        Assert.All(exprs, e => Assert.StartsWith("admissionguard_", System.Text.RegularExpressions.Regex.Match(e!, "admissionguard_[a-z_]+").Value, StringComparison.Ordinal));
    }

    [Fact]
    public void AllOptions_PrometheusRule_HasTheSevenAlerts()
    {
        var rule = Assert.Single(Renders.OfType<ForeignObject<PrometheusRuleSpec>>("all-options"));
        var alerts = rule.Spec!.Groups!.SelectMany(g => g.Rules!).ToList();

        Assert.Equal(
            ["AdmissionGuardWebhookErrors", "AdmissionGuardWebhookSlow", "AdmissionGuardPoliciesNotReady", "AdmissionGuardCertificateExpiresSoon",
             "AdmissionGuardRegistryBreakerOpen", "AdmissionGuardExceptionsExpiring", "AdmissionGuardAdoptionFalling"],
            alerts.Select(a => a.Alert));
        Assert.All(alerts, a => Assert.False(string.IsNullOrWhiteSpace(a.Annotations!["summary"])));
        Assert.Contains("< 3 * 86400", alerts.Single(a => a.Alert == "AdmissionGuardCertificateExpiresSoon").Expr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Renders.Defaults), MemberType = typeof(Renders))]
    public void Defaults_NoDashboardAndNoPrometheusRule(string render)
    {
        Assert.Empty(Renders.OfType<ForeignObject<PrometheusRuleSpec>>(render));
        Assert.DoesNotContain(Renders.OfType<V1ConfigMap>(render), m => m.Metadata.Labels?.ContainsKey("grafana_dashboard") == true);
    }
}
