using AdmissionGuard.Kubernetes;
using AdmissionGuard.Tests.Audit;
using AdmissionGuard.Tests.Kubernetes;
using AdmissionGuard.Tests.Webhooks;
using Xunit.Abstractions;
using static AdmissionGuard.Tests.Tracing.TracingTestSupport;

namespace AdmissionGuard.Tests.Tracing;

/// <summary>The background work in cluster mode, against the fake API server: watch lists and relists, the audit pass.</summary>
public sealed class TracingClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_ClusterMode_ExportsListRelistAfter410AndAuditPassSpans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var api = await FakeKubeApiServer.StartAsync();
        AuditCluster.SeedServeCluster(api);
        var kubeconfig = api.WriteKubeconfig();
        try
        {
            UseEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint.ToString()));
            await using var server = await WebhookServer.StartInClusterModeAsync("--kubeconfig", kubeconfig, "--audit-interval", "1h");
            var policies = ResourcePath.ClusterImagePolicies.ToString();

            var first = (await receiver.WaitForAsync(s => s.Span.Name == "watch list" && s.String("admissionguard.resource") == policies, within: TimeSpan.FromSeconds(60))).First();
            var audit = (await receiver.WaitForAsync(s => s.Span.Name == "audit pass", within: TimeSpan.FromSeconds(60))).First();
            // The API server forgets its history and ends the watches: resuming gets 410 Gone, and the watcher lists again.
            api.Compact();
            api.DropWatches();
            var relist = (await receiver.WaitForAsync(s => s.Span.Name == "watch list" && s.String("admissionguard.resource") == policies && s.Attribute("admissionguard.relist")?.BoolValue == true,
                within: TimeSpan.FromSeconds(60))).First();

            output.WriteLine(Print([first, audit, relist]));
            Assert.False(first.Attribute("admissionguard.relist")!.BoolValue);
            Assert.Equal(1, first.Int("admissionguard.items"));
            Assert.Equal("", first.ParentSpanId);
            Assert.Equal(1, relist.Int("admissionguard.items"));
            Assert.NotEqual(first.TraceId, relist.TraceId);
            Assert.Equal(2, audit.Int("admissionguard.pods_seen"));
            Assert.Equal(2, audit.Int("admissionguard.pods_judged"));
            Assert.Equal(1, audit.Int("admissionguard.reports_written"));
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
