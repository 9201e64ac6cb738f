using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// The RBAC the chart grants its service account, from a real <c>helm template</c> of charts/admission-guard
/// (tools/helm/helm, installed by tests/setup/helm.sh), authorizing as the API server's RBAC authorizer does: a
/// ClusterRole bound by a ClusterRoleBinding applies everywhere, a Role bound by a RoleBinding in its namespace only;
/// a rule allows when its apiGroups, resources (<c>plural/subresource</c> for a subresource) and verbs name the
/// request (<c>*</c> included), and its resourceNames, when set, name the object. A create has no name, and a
/// list or watch has the name its <c>fieldSelector=metadata.name=X</c> gives (as the request-info resolver sets it).
/// Also gives the Deployment's <c>serve</c> arguments, so a test runs with the very names the chart grants on.
/// </summary>
internal sealed class ChartRbac
{
    public const string Release = "admission-guard";
    public const string ReleaseNamespace = "admission-guard";

    private static readonly ConcurrentDictionary<string, Lazy<ChartRbac>> Renders = new(StringComparer.Ordinal);
    private readonly List<(string? Namespace, JsonObject Rule)> rules;

    private ChartRbac(string serviceAccount, List<(string? Namespace, JsonObject Rule)> rules, IReadOnlyList<string> serveArguments)
    {
        ServiceAccount = serviceAccount;
        this.rules = rules;
        ServeArguments = serveArguments;
    }

    public string ServiceAccount { get; }

    /// <summary>The user the API server sees for the chart's service account token.</summary>
    public string User => $"system:serviceaccount:{ReleaseNamespace}:{ServiceAccount}";

    /// <summary>The Deployment's arguments after <c>serve</c>, with <c>$(POD_NAMESPACE)</c> resolved.</summary>
    public IReadOnlyList<string> ServeArguments { get; }

    /// <summary>The value of one <c>serve</c> argument in the chart's Deployment (<c>--leader-election-lease</c>).</summary>
    public string Argument(string name) => ServeArguments[ServeArguments.ToList().IndexOf(name) + 1];

    /// <summary>The chart rendered with these <c>--set</c> values (each render once per test run).</summary>
    public static ChartRbac Render(params string[] values) =>
        Renders.GetOrAdd(string.Join('\n', values), _ => new Lazy<ChartRbac>(() => Load(values))).Value;

    public bool Allows(string verb, string group, string resource, string? ns, string? name) =>
        rules.Any(r => (r.Namespace is null || r.Namespace == ns)
            && Names(r.Rule, "verbs", verb) && Names(r.Rule, "apiGroups", group) && Names(r.Rule, "resources", resource)
            && (r.Rule["resourceNames"] is not JsonArray { Count: > 0 } names || (name is not null && names.Any(n => (string?)n == name))));

    private static bool Names(JsonObject rule, string field, string value) =>
        rule[field] is JsonArray list && list.Any(v => (string?)v == value || (string?)v == "*");

    private static ChartRbac Load(string[] values)
    {
        var helm = Path.Combine(RepoPaths.Root, "tools", "helm", "helm");
        Assert.True(File.Exists(helm), "the chart's RBAC is rendered with helm: run `bash tests/setup/helm.sh` first");
        var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "template", Release, Path.Combine(RepoPaths.Root, "charts", "admission-guard"), "--namespace", ReleaseNamespace }
            .Concat(values.SelectMany(v => new[] { "--set", v })))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var rendered = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"helm template failed: {stderr.Result}");

        var objects = YamlDocuments.Read(rendered).Select(d =>
        {
            using (d)
            {
                return JsonNode.Parse(d.RootElement.GetRawText())!.AsObject();
            }
        }).ToList();
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var serviceAccount = (string)pod["serviceAccountName"]!;
        var args = pod["containers"]![0]!["args"]!.AsArray().Select(a => ((string)a!).Replace("$(POD_NAMESPACE)", ReleaseNamespace, StringComparison.Ordinal)).ToList();
        Assert.Equal("serve", args[0]);

        var roles = objects.Where(o => (string?)o["kind"] is "ClusterRole" or "Role")
            .ToDictionary(o => ((string)o["kind"]!, (string?)o["metadata"]!["namespace"], (string)o["metadata"]!["name"]!));
        var granted = new List<(string?, JsonObject)>();
        foreach (var binding in objects.Where(o => (string?)o["kind"] is "ClusterRoleBinding" or "RoleBinding"))
        {
            var bound = binding["subjects"]!.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == serviceAccount && (string?)s["namespace"] == ReleaseNamespace);
            if (!bound)
            {
                continue;
            }

            var bindingNamespace = (string?)binding["metadata"]!["namespace"];
            var roleRef = binding["roleRef"]!;
            var key = ((string)roleRef["kind"]!, (string)roleRef["kind"]! == "Role" ? bindingNamespace : null, (string)roleRef["name"]!);
            // A binding to a role that does not exist grants nothing, as in the API server.
            if (roles.TryGetValue(key, out var role))
            {
                var scope = (string?)binding["kind"] == "RoleBinding" ? bindingNamespace : null;
                granted.AddRange(role["rules"]!.AsArray().Select(r => (scope, r!.AsObject())));
            }
        }

        return new ChartRbac(serviceAccount, granted, args.Skip(1).ToList());
    }
}
