using AdmissionGuard.Tests.Registry;
using AdmissionGuard.Tests.Webhooks;
using OpenTelemetry.Proto.Trace.V1;
using Xunit.Abstractions;
using static AdmissionGuard.Tests.Tracing.TracingTestSupport;

namespace AdmissionGuard.Tests.Tracing;

/// <summary>A denied Pod whose twin the webhook had to ask a real registry (docker-registry) about: the whole trace.</summary>
[Collection(RegistryTestGroup.Name)]
public sealed class TracingRegistryTests(RegistryFixture registry, ITestOutputHelper output)
{
    [Fact]
    public async Task Validate_DeniedPodAfterARegistryLookup_TraceHasEvaluateWaitAndLookupChildren()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint.ToString()));
        await using var server = await WebhookServer.StartWithAsync(new Dictionary<string, string> { ["policies.yaml"] = WebhookRegistryTests.PolicyYaml(registry) }, null,
            "--insecure-registry", registry.Plain.Host, "--registry-budget", "2s", "--deadline", "4s");
        var image = $"{registry.Plain.Host}/library/multi:1";   // its twin multi:1-hardened was never pushed
        var pod = TestObjects.Review(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "app", ["namespace"] = "default" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["containers"] = new System.Text.Json.Nodes.JsonArray(TestObjects.Container("app", image)) },
        });
        var (traceId, callerSpan) = (NewTraceId(), NewSpanId());

        var response = await PostAsync(server.Client, "/validate", pod, $"00-{traceId}-{callerSpan}-01");

        Assert.False((bool)response["allowed"]!);
        var trace = await receiver.WaitForAsync(s => s.TraceId == traceId, count: 6);
        output.WriteLine(Print(trace));
        var admission = trace.Single(s => s.Span.Name == "admission validate");
        Assert.Equal(callerSpan, admission.ParentSpanId);
        Assert.Equal("denied", admission.String("admissionguard.decision"));
        Assert.Equal(["ClusterImagePolicy/hardened-only"], admission.Attribute("admissionguard.policies")!.ArrayValue.Values.Select(v => v.StringValue));
        Assert.True(admission.Int("admissionguard.registry.cache_misses") >= 1, "the twin was not cached when the request arrived");
        var rounds = trace.Where(s => s.Span.Name == "evaluate").OrderBy(s => s.Int("admissionguard.round")).ToList();
        Assert.Equal(2, rounds.Count);
        Assert.All(rounds, r => Assert.Equal(admission.SpanId, r.ParentSpanId));
        Assert.True(rounds[1].Int("admissionguard.registry.cache_hits") >= 1, "the second round reads the answer the wait brought");
        var wait = trace.Single(s => s.Span.Name == "registry wait");
        Assert.Equal(admission.SpanId, wait.ParentSpanId);
        Assert.True(wait.Span.StartTimeUnixNano >= rounds[0].Span.EndTimeUnixNano && wait.Span.EndTimeUnixNano <= rounds[1].Span.StartTimeUnixNano);
        // Two background lookups started by that wait: the image (for its digest) and its twin, which is missing.
        var lookups = trace.Where(s => s.Span.Name == "registry lookup").ToList();
        Assert.Equal(["exists", "missing"], lookups.Select(l => l.String("admissionguard.outcome")).Order());
        Assert.All(lookups, lookup =>
        {
            Assert.Equal(wait.SpanId, lookup.ParentSpanId);
            Assert.Equal(Span.Types.SpanKind.Client, lookup.Span.Kind);
            Assert.Equal(registry.Plain.Host, lookup.String("admissionguard.registry"));
        });
    }
}
