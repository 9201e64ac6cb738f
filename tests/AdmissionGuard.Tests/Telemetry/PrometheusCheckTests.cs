using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Globalization;
using System.Text.Json.Nodes;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Serialization;
using AdmissionGuard.Tests.Audit;
using AdmissionGuard.Tests.Kubernetes;
using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Reports;
using Xunit.Abstractions;

namespace AdmissionGuard.Tests.Telemetry;

/// <summary>
/// The chart's alert rules and dashboard against a real Prometheus scraping a real <c>serve</c> on loopback: promtool
/// accepts the rendered rules, and after traffic every expression evaluates through Prometheus's HTTP API and returns
/// data. <c>serve</c> runs in cluster mode against the fake API server (the example policies and scans as custom
/// resources, a few running Pods, the chart's RBAC), so the background audit feeds the adoption gauges too, and their
/// values are checked against figures worked out by hand from the example scans.
/// </summary>
public sealed class PrometheusCheckTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string temp = Directory.CreateTempSubdirectory("ag-prometheus-").FullName;
    private readonly List<Process> processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }

        Directory.Delete(temp, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PromtoolCheckRules_RenderedPrometheusRule_Succeeds()
    {
        ExternalProgram.Require("promtool");
        var rules = await RenderRulesAsync();

        var (code, stdout, stderr) = await ExternalProgram.RunAsync("promtool", ["check", "rules", rules]);

        output.WriteLine(stdout + stderr);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("SUCCESS: 7 rules found", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_EveryDashboardAndAlertExpression_ReturnsDataAfterTraffic()
    {
        ExternalProgram.Require("prometheus");
        Assert.True(File.Exists(RepoPaths.AdmissionGuardDll), $"build the solution first: {RepoPaths.AdmissionGuardDll} is missing");
        var https = TestTools.FreePort();
        var metrics = TestTools.FreePort();
        var web = TestTools.FreePort();
        // The example policies, plus one that pins images of a registry that is down: registry requests happen and fail.
        var closedRegistry = $"127.0.0.1:{TestTools.FreePort()}";
        await using var api = await FakeKubeApiServer.StartAsync();
        var rbac = ChartRbac.Render();
        api.Rbac = rbac;
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Examples, "policies")).Select(File.ReadAllText)
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Examples, "adoption", "scans")).Select(File.ReadAllText))
            .Append($$$"""
                apiVersion: admissionguard.io/v1alpha1
                kind: ClusterImagePolicy
                metadata: {name: zz-pin}
                spec:
                  mode: Audit
                  images: {include: ["{{{closedRegistry}}}/**"]}
                  # The CRD's rule wants sources whenever rewrite is on; this one's mappings never match the closed registry.
                  rules: {tags: {disallowed: ["latest"]}, hardened: {required: false, sources: [docker-hardened-images]}}
                  rewrite: {enabled: true, pinDigest: true}
                """);
        foreach (var text in files)
        {
            ApplyAll(api, text);
        }

        // Running: in prod (production policy) a hardened nginx and an upstream one, in dev an upstream node.
        api.Apply(AuditCluster.Pods, AuditCluster.PodJson("prod", "web", "dhi.io/nginx:1.25"));
        api.Apply(AuditCluster.Pods, AuditCluster.PodJson("prod", "canary", "nginx:1.25"));
        api.Apply(AuditCluster.Pods, AuditCluster.PodJson("dev", "indexer", "node:20"));
        var kubeconfig = api.WriteKubeconfig();
        Start("dotnet", RepoPaths.AdmissionGuardDll, "serve", "--listen", $"127.0.0.1:{https}", "--metrics-listen", $"127.0.0.1:{metrics}",
            "--registry-budget", "100ms", "--kubeconfig", kubeconfig, "--namespace", rbac.Argument("--namespace"),
            "--leader-election-lease", rbac.Argument("--leader-election-lease"), "--audit-interval", "1h", "--ca-dir", Path.Combine(temp, "ca"));
        var config = Path.Combine(temp, "prometheus.yml");
        File.WriteAllText(config, $$"""
            global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s}
            scrape_configs:
              - job_name: admissionguard
                static_configs: [{targets: ["127.0.0.1:{{metrics}}"]}]
            """);
        Start("prometheus", $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(temp, "tsdb")}", $"--web.listen-address=127.0.0.1:{web}");
        using var prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}"), Timeout = TimeSpan.FromSeconds(10) };
        using var webhook = await WebhookClientAsync(https);

        // Scraped and up, seen through Prometheus's own targets API rather than a sleep.
        await Until(async () => (await GetJson(prometheus, "/api/v1/targets")).GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Any(t => t.GetProperty("health").GetString() == "up"), "the serve target to be up");
        await SendTrafficAsync(webhook, closedRegistry);
        await Until(async () => await HasData(prometheus, "admissionguard_rewrites_total"), "the first scrape after traffic");
        await SendTrafficAsync(webhook, closedRegistry);
        await Until(async () => await HasData(prometheus, "sum(increase(admissionguard_admission_requests_total[2m])) > 0 and sum(increase(admissionguard_rewrites_total[2m])) > 0"), "a second scrape after more traffic");
        // The leader's first audit pass, scraped.
        await Until(async () => await HasData(prometheus, "sum(admissionguard_workload_images) == 3"), "the audit's adoption gauges");

        var expressions = DashboardExpressions().Select(e => (e.Origin, e.Expr, NeedsData: true)).Concat(await RuleExpressionsAsync()).ToList();
        Assert.True(expressions.Count >= 25, $"only {expressions.Count} expressions found");
        foreach (var (origin, expr, needsData) in expressions)
        {
            var result = await GetJson(prometheus, "/api/v1/query?query=" + Uri.EscapeDataString(expr));
            Assert.True(result.GetProperty("status").GetString() == "success", $"{origin}: {expr}: {result}");
            var data = result.GetProperty("data").GetProperty("result");
            var hasData = data.ValueKind == JsonValueKind.Array ? data.GetArrayLength() > 0 : data.ValueKind != JsonValueKind.Null;
            Assert.True(hasData || !needsData, $"{origin}: {expr} returned no data");
            output.WriteLine($"{(hasData ? "data " : "empty")} {origin}: {expr}");
        }

        // The adoption figures, by hand from the example scans: nginx:1.25 3 critical/14 high, its twin dhi.io/nginx:1.25
        // 0/0, node:20 5/31 and its twin dhi.io/node:20 0/0. One of three containers runs hardened; the adoption-falling
        // alert's signal is that share. Both upstream images grade E (a fixable critical), the twin A.
        Assert.Equal(1.0 / 3, await Value(prometheus, "sum(admissionguard_workload_images{hardened=\"true\"}) / sum(admissionguard_workload_images)"), 6);
        Assert.Equal(1, await Value(prometheus, "admissionguard_workload_images{namespace=\"prod\",hardened=\"false\"}"));
        Assert.Equal(1, await Value(prometheus, "admissionguard_workload_images{namespace=\"dev\",hardened=\"false\"}"));
        Assert.Equal(8, await Value(prometheus, "sum(admissionguard_workload_vulnerabilities{severity=\"critical\"})"));
        Assert.Equal(45, await Value(prometheus, "sum(admissionguard_avoidable_vulnerabilities{severity=\"high\"})"));
        Assert.Equal(2, await Value(prometheus, "sum(admissionguard_workload_image_grades{grade=\"E\"})"));
        Assert.Equal(1, await Value(prometheus, "sum(admissionguard_workload_image_grades{grade=\"A\"})"));
        Assert.Empty(api.Denials);
        File.Delete(kubeconfig);

        // Named by API.md: the unit suffix the exporter appends must not change what the rules and dashboard ask for.
        var scraped = await webhook.GetStringAsync(new Uri($"http://127.0.0.1:{metrics}/metrics"));
        Assert.Contains("admissionguard_certificate_expiry_timestamp_seconds ", scraped, StringComparison.Ordinal);
        // Four /mutate calls each rewrote nginx:1.25 (3 critical, 14 high) to dhi.io/nginx:1.25 (0, 0); busybox and the
        // closed registry's image have no scan, so they add rewrites but no avoided counts.
        Assert.Contains("admissionguard_avoided_vulnerabilities_total{otel_scope_name=\"AdmissionGuard\",severity=\"critical\"} 12", scraped, StringComparison.Ordinal);
        Assert.Contains("admissionguard_avoided_vulnerabilities_total{otel_scope_name=\"AdmissionGuard\",severity=\"high\"} 56", scraped, StringComparison.Ordinal);
    }

    private void Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes.Add(process);
    }

    private async Task<HttpClient> WebhookClientAsync(int port)
    {
        var caPath = Path.Combine(temp, "ca", "ca.crt");
        await Until(() => Task.FromResult(File.Exists(caPath)), "serve to write its CA");
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
#pragma warning disable CA2000 // the client owns the handler
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate!);
            },
        };
#pragma warning restore CA2000
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Until(async () =>
        {
            try
            {
                return (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "serve to be ready");
        return client;
    }

    private static async Task SendTrafficAsync(HttpClient webhook, string closedRegistry)
    {
        var review = File.ReadAllText(Path.Combine(RepoPaths.Examples, "reviews", "pod-denied.json"));
        var pinned = review.Replace("\"busybox\"", $"\"{closedRegistry}/app:1\"", StringComparison.Ordinal);
        Assert.NotEqual(review, pinned);
        foreach (var (path, body) in new[] { ("/mutate", review), ("/validate", review), ("/mutate", pinned), ("/validate", pinned) })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await webhook.PostAsync(new Uri(path, UriKind.Relative), content);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        // Generous: the machine is shared, and a scrape that times out under load is simply retried by Prometheus.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    /// <summary>The single value an instant query returns.</summary>
    private static async Task<double> Value(HttpClient prometheus, string expr)
    {
        var result = (await GetJson(prometheus, "/api/v1/query?query=" + Uri.EscapeDataString(expr))).GetProperty("data").GetProperty("result");
        Assert.True(result.GetArrayLength() == 1, $"{expr}: {result}");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Every object of a YAML file into the fake API server, in its collection, as kubectl apply would.</summary>
    private static void ApplyAll(FakeKubeApiServer api, string yaml)
    {
        foreach (var document in YamlDocuments.Read(yaml))
        {
            using (document)
            {
                var obj = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
                var path = (string?)obj["kind"] switch
                {
                    "HardenedImageSource" => ResourcePath.HardenedImageSources,
                    "ClusterImagePolicy" => ResourcePath.ClusterImagePolicies,
                    "ImagePolicy" => ResourcePath.ImagePolicies,
                    "ImageScan" => ResourcePath.ImageScans,
                    "Namespace" => ResourcePath.Namespaces,
                    var kind => throw new InvalidOperationException($"no collection for kind {kind}"),
                };
                api.Apply(path.Collection, obj.ToJsonString());
            }
        }
    }

    private static async Task<bool> HasData(HttpClient prometheus, string expr) =>
        (await GetJson(prometheus, "/api/v1/query?query=" + Uri.EscapeDataString(expr))).GetProperty("data").GetProperty("result").GetArrayLength() > 0;

    private static async Task<JsonElement> GetJson(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Every panel target of the chart's dashboard, with Grafana's variables as Grafana would fill them.</summary>
    private static List<(string Origin, string Expr)> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "charts", "admission-guard", "dashboards", "admissionguard.json")));
        var list = new List<(string, string)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var target in targets.EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!
                    .Replace("$namespace", ".*", StringComparison.Ordinal)
                    .Replace("$__rate_interval", "2m", StringComparison.Ordinal)
                    .Replace("$__range", "5m", StringComparison.Ordinal);
                list.Add(($"panel \"{panel.GetProperty("title").GetString()}\"", expr));
            }
        }

        return list;
    }

    /// <summary>Each alert twice: as written (it must evaluate; it is empty while nothing fires) and its signal, the side before the threshold.</summary>
    private async Task<List<(string Origin, string Expr, bool NeedsData)>> RuleExpressionsAsync()
    {
        using var rules = JsonDocument.Parse(File.ReadAllText(await RenderRulesAsync()));
        var list = new List<(string, string, bool)>();
        foreach (var rule in rules.RootElement.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()))
        {
            var name = rule.GetProperty("alert").GetString()!;
            var expr = rule.GetProperty("expr").GetString()!;
            list.Add(($"alert {name}, its signal", Signal(expr), true));
            list.Add(($"alert {name} as written", expr, false));
        }

        return list;
    }

    /// <summary>The expression left of its last top-level comparison.</summary>
    private static string Signal(string expr)
    {
        var depth = 0;
        var cut = -1;
        for (var i = 0; i < expr.Length; i++)
        {
            var c = expr[i];
            depth += c is '(' or '[' or '{' ? 1 : c is ')' or ']' or '}' ? -1 : 0;
            if (depth == 0 && c is '>' or '<' && i > 0 && expr[i - 1] == ' ')
            {
                cut = i;
            }
        }

        return cut < 0 ? expr : expr[..cut].Trim();
    }

    /// <summary>helm template of the chart with the PrometheusRule on; its groups written as a rules file (JSON is YAML).</summary>
    private async Task<string> RenderRulesAsync()
    {
        var helm = Path.Combine(RepoPaths.Root, "tools", "helm", "helm");
        Assert.True(File.Exists(helm), "run `bash tests/setup/helm.sh` first");
        var (code, rendered, stderr) = await ExternalProgram.RunAsync(helm, ["template", "ag", Path.Combine(RepoPaths.Root, "charts", "admission-guard"), "--set", "prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml"]);
        Assert.True(code == 0, stderr);
        var documents = YamlDocuments.Read(rendered);
        var rule = documents.Single(d => d.RootElement.GetProperty("kind").GetString() == "PrometheusRule");
        var path = Path.Combine(temp, "rules.json");
        File.WriteAllText(path, "{\"groups\":" + rule.RootElement.GetProperty("spec").GetProperty("groups").GetRawText() + "}");
        foreach (var d in documents)
        {
            d.Dispose();
        }

        return path;
    }
}
