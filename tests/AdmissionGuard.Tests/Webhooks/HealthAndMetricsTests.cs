using System.Net;
using System.Text.RegularExpressions;

namespace AdmissionGuard.Tests.Webhooks;

[Collection(WebhookTestGroup.Name)]
public sealed class HealthAndMetricsTests(WebhookServer server)
{
    [Fact]
    public async Task Healthz_Returns200()
    {
        using var response = await server.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_OncePoliciesAreLoaded_Returns200()
    {
        using var response = await server.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // production, development and the tests' audit-only policy; and the port actually bound, not the ":0" asked for. Startup lines go to stderr: stdout holds decision records only.
        Assert.Contains($"serving {server.BaseUri.ToString().TrimEnd('/')} with 3 policies", server.Stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterADenial_CountsRequestsByDecisionAndHasALatencyHistogram()
    {
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", image: "quay.io/evil/miner:1.0")));
        await server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25")));

        // The exporter caches a scrape briefly, so wait for one that includes these requests.
        string text = "";
        await Certificates.TlsTestClient.WaitUntilAsync(async () =>
        {
            text = await server.Client.GetStringAsync("/metrics");
            return Regex.IsMatch(text, """^admissionguard_admission_requests_total\{[^}]*decision="denied"[^}]*\} [1-9]""", RegexOptions.Multiline);
        }, TimeSpan.FromSeconds(30), "/metrics counts the denial");

        Assert.Matches(new Regex("""^admissionguard_admission_requests_total\{[^}]*decision="allowed"[^}]*kind="Pod"[^}]*webhook="validate"[^}]*\} [1-9]""", RegexOptions.Multiline), text);
        Assert.Matches(new Regex("""^admissionguard_admission_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} [1-9]""", RegexOptions.Multiline), text);
        Assert.Contains("admissionguard_policy_violations_total{", text, StringComparison.Ordinal);
    }
}
