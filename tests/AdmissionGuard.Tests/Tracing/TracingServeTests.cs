using System.Text.RegularExpressions;
using AdmissionGuard.Commands;
using AdmissionGuard.Tests.Webhooks;
using OpenTelemetry.Proto.Trace.V1;
using Xunit.Abstractions;
using static AdmissionGuard.Tests.Tracing.TracingTestSupport;

namespace AdmissionGuard.Tests.Tracing;

/// <summary>
/// The real <c>serve</c> exporting to a real OTLP receiver on loopback: spans are asserted as the collector decoded
/// them from the wire (the example policies: production Enforce on env=prod).
/// </summary>
public sealed class TracingServeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Validate_DeniedPodWithTraceparent_SpanIsTheCallersChildWithDecisionPoliciesAndViolations()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint.ToString().TrimEnd('/')), ("OTEL_SERVICE_NAME", "ag-trace-test"));
        await using var server = await WebhookServer.StartAsync();
        var pod = TestObjects.Load("Pod");
        TestObjects.Containers(pod, "initContainers").Add(TestObjects.Container("setup", "busybox"));
        var (traceId, callerSpan) = (NewTraceId(), NewSpanId());

        var response = await PostAsync(server.Client, "/validate", TestObjects.Review(pod, uid: "7d3f2b1e-0001"), $"00-{traceId}-{callerSpan}-01", "apiserver=1");

        Assert.False((bool)response["allowed"]!);
        var admission = (await receiver.WaitForAsync(s => s.TraceId == traceId && s.Span.Name == "admission validate")).Single();
        var trace = await receiver.WaitForAsync(s => s.TraceId == traceId, count: 2);
        output.WriteLine(Print(trace));
        Assert.Equal(callerSpan, admission.ParentSpanId);
        Assert.Equal("apiserver=1", admission.Span.TraceState);
        Assert.Equal(Span.Types.SpanKind.Server, admission.Span.Kind);
        Assert.Equal("ag-trace-test", admission.ResourceString("service.name"));
        Assert.Equal("AdmissionGuard", admission.Scope.Name);
        Assert.Equal("validate", admission.String("admissionguard.webhook"));
        Assert.Equal("Pod", admission.String("admissionguard.kind"));
        Assert.Equal("CREATE", admission.String("admissionguard.operation"));
        Assert.Equal("prod", admission.String("admissionguard.namespace"));
        Assert.Equal("denied", admission.String("admissionguard.decision"));
        Assert.Equal("7d3f2b1e-0001", admission.String("admissionguard.uid"));
        Assert.Equal(["ClusterImagePolicy/production"], admission.Attribute("admissionguard.policies")!.ArrayValue.Values.Select(v => v.StringValue));
        Assert.Equal(2, admission.Int("admissionguard.images"));
        // verifyExists is off in the examples: nothing to wait for, so no registry wait.
        Assert.Equal(0, admission.Int("admissionguard.registry.cache_hits"));
        Assert.DoesNotContain(trace, s => s.Span.Name == "registry wait");
        Assert.True(admission.Int("admissionguard.scan.found") >= 1, "the example scans cover nginx:1.25");
        // A denial is the webhook working: not a span error.
        Assert.Equal(Status.Types.StatusCode.Unset, admission.Span.Status?.Code ?? Status.Types.StatusCode.Unset);
        var violations = admission.Span.Events.Where(e => e.Name == "violation").ToList();
        Assert.Contains(violations, e => Has(e, "admissionguard.container", "setup") && Has(e, "admissionguard.rule", "tags") && Has(e, "admissionguard.image", "busybox"));
        Assert.Contains(violations, e => Has(e, "admissionguard.container", "web") && Has(e, "admissionguard.rule", "hardened") && Has(e, "admissionguard.twin", "dhi.io/nginx:1.25"));
        Assert.Equal(violations.Count, admission.Int("admissionguard.violations"));
        var evaluate = trace.Single(s => s.Span.Name == "evaluate");
        Assert.Equal(admission.SpanId, evaluate.ParentSpanId);
        Assert.Equal(1, evaluate.Int("admissionguard.round"));
    }

    [Fact]
    public async Task Admission_WithoutOrWithMalformedOrUnsampledTraceparent_RootsOrSkipsAsW3CAsks()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint.ToString()));
        await using var server = await WebhookServer.StartAsync();
        var (unsampledTrace, sampledTrace) = (NewTraceId(), NewTraceId());

        await PostAsync(server.Client, "/mutate", TestObjects.Review(TestObjects.Load("Pod"), uid: "root-no-header"));
        await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod"), uid: "root-malformed"), "00-not-a-trace-01");
        await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod"), uid: "unsampled"), $"00-{unsampledTrace}-{NewSpanId()}-00");
        await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod"), uid: "sampled"), $"00-{sampledTrace}-{NewSpanId()}-01");

        var mutate = (await receiver.WaitForAsync(s => s.String("admissionguard.uid") == "root-no-header")).Single();
        var malformed = (await receiver.WaitForAsync(s => s.String("admissionguard.uid") == "root-malformed")).Single();
        var sampled = (await receiver.WaitForAsync(s => s.String("admissionguard.uid") == "sampled")).Single();
        Assert.Equal("admission mutate", mutate.Span.Name);
        Assert.Equal("mutated", mutate.String("admissionguard.decision"));
        Assert.Equal("", mutate.ParentSpanId);
        Assert.Equal("", malformed.ParentSpanId);
        Assert.Equal(sampledTrace, sampled.TraceId);
        // Spans leave in the order they ended, so once the later sampled request's span is in, the unsampled one (the
        // API server decided not to record this trace; the default sampler follows the parent) would be in too.
        Assert.DoesNotContain(receiver.Spans, s => s.TraceId == unsampledTrace);
    }

    [Fact]
    public async Task Export_OverGrpc_ReachesTheReceiver()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.GrpcEndpoint.ToString()), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        await using var server = await WebhookServer.StartAsync();

        await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25"), uid: "over-grpc"));

        var span = (await receiver.WaitForAsync(s => s.String("admissionguard.uid") == "over-grpc")).Single();
        Assert.Equal("allowed", span.String("admissionguard.decision"));
    }

    [Fact]
    public async Task CollectorDown_AdmissionStillAnswersAndFailedExportsAreCounted()
    {
        var closedPort = Registry.TestTools.FreePort();
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{closedPort}"));
        await using var server = await WebhookServer.StartAsync();

        for (var i = 0; i < 5; i++)
        {
            var response = await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod")));
            Assert.False((bool)response["allowed"]!);
        }

        await DroppedAsync(server, "export_failed");
    }

    [Fact]
    public async Task CollectorHangs_AdmissionStillAnswersAndQueueOverflowIsCounted()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        receiver.Hold = true;
        UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint.ToString()), ("OTEL_BSP_MAX_QUEUE_SIZE", "2"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "120000"));
        await using var server = await WebhookServer.StartAsync();

        // Each request ends two spans (admission, evaluate); the export thread is stuck on its first batch of one, and two
        // more fit the queue: the rest must be dropped, and every request still answered.
        for (var i = 0; i < 10; i++)
        {
            var response = await PostAsync(server.Client, "/validate", TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25")));
            Assert.True((bool)response["allowed"]!);
        }

        await DroppedAsync(server, "queue_full");
        Assert.True(receiver.Requests >= 1, "the exporter reached the hanging collector");
        Assert.Empty(receiver.Spans);
    }

    [Fact]
    public async Task Serve_InvalidTracingVariable_ExitsTwoWithOneLine()
    {
        var policies = Path.Combine(Path.GetTempPath(), "ag-tracing-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(policies);
        File.Copy(Path.Combine(RepoPaths.Examples, "policies", "production.yaml"), Path.Combine(policies, "production.yaml"));
        File.Copy(Path.Combine(RepoPaths.Examples, "policies", "hardened-image-sources.yaml"), Path.Combine(policies, "sources.yaml"));
        try
        {
            UseEnvironment(("OTEL_TRACES_SAMPLER", "sometimes"));
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            var exit = await ServeCommand.RunAsync(["--listen", "127.0.0.1:0", "--policies", policies, "--tracing"], stdout, stderr);

            Assert.Equal(2, exit);
            Assert.Equal(
                "admissionguard serve: OTEL_TRACES_SAMPLER \"sometimes\" is not supported: use one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio",
                stderr.ToString().TrimEnd());
        }
        finally
        {
            Directory.Delete(policies, recursive: true);
        }
    }

    private static bool Has(Span.Types.Event e, string key, string value) => e.Attributes.Any(a => a.Key == key && a.Value.StringValue == value);

    private static async Task DroppedAsync(WebhookServer server, string reason)
    {
        var pattern = new Regex($"^admissionguard_trace_spans_dropped_total\\{{[^}}]*reason=\"{reason}\"[^}}]*\\}} [1-9]", RegexOptions.Multiline);
        var text = "";
        await Certificates.TlsTestClient.WaitUntilAsync(async () =>
        {
            text = await server.Client.GetStringAsync("/metrics");
            return pattern.IsMatch(text);
        }, TimeSpan.FromSeconds(60), $"/metrics counts spans dropped for {reason}");
    }
}
