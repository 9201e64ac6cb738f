using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>The chart installs the validating webhook failing open; the ready leader switches it to Fail and keeps it so.</summary>
public sealed class FailClosedWhenReadyTests
{
    private const string Configurations = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

    private const string Configuration = """
        {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"ag"},
         "webhooks":[{"name":"validate.admissionguard.io","failurePolicy":"Ignore","sideEffects":"None"},
                     {"name":"policies.admissionguard.io","failurePolicy":"Ignore","sideEffects":"None"}]}
        """;

    [Fact]
    public async Task Run_LeaderReady_SwitchesOnlyItsWebhookToFailAndPutsItBackAfterAReset()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Apply(Configurations, Configuration);
        var store = new AdmissionStateStore();
        var leadership = new TestLeadership(false);
        using var service = new FailClosedWhenReady(new KubeApi(server.CreateClient()), "ag", store, new Readiness(), leadership, TimeProvider.System,
            NullLogger<FailClosedWhenReady>.Instance) { Every = TimeSpan.FromMilliseconds(20) };
        var checkedWhileFollower = false;
        service.Checked += _ => checkedWhileFollower |= !leadership.IsLeader;
        await service.StartAsync(CancellationToken.None);

        store.Swap(store.Current with { Loaded = true });
        leadership.IsLeader = true;
        await Eventually.True(() => FailurePolicy(server, 0) == "Fail", "validate.admissionguard.io switched to Fail");
        Assert.Equal("Ignore", FailurePolicy(server, 1));

        server.Apply(Configurations, Configuration); // helm upgrade renders Ignore again
        await Eventually.True(() => FailurePolicy(server, 0) == "Fail", "switched to Fail again after the reset");
        await service.StopAsync(CancellationToken.None);

        Assert.False(checkedWhileFollower);
        var patch = server.RequestsTo("PATCH", Configurations)[0];
        Assert.Equal("application/strategic-merge-patch+json", patch.ContentType?.Split(';')[0]);
        Assert.Equal("""{"webhooks":[{"name":"validate.admissionguard.io","failurePolicy":"Fail"}]}""", patch.Body);
    }

    private static string? FailurePolicy(FakeKubeApiServer server, int index) =>
        (string?)server.Get(Configurations, "ag")?["webhooks"]?[index]?["failurePolicy"];
}
