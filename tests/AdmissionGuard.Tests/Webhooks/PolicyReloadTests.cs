using System.Net;
using AdmissionGuard.Tests.Certificates;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>Local mode reloads policy files while serving; an invalid edit keeps the last good version deciding.</summary>
public sealed class PolicyReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private WebhookServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await WebhookServer.StartAsync();
        Write("reload.yaml", Policy("reload-test", "reload", "nightly"));
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private static string Policy(string name, string ns, string disallowedTag) => $$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: {{name}}}
        spec:
          mode: Enforce
          match:
            namespaces: ["{{ns}}"]
          rules:
            tags:
              disallowed: ["{{disallowedTag}}"]
        """;

    private void Write(string file, string text) => File.WriteAllText(Path.Combine(_server.PoliciesDir, file), text);

    private async Task<bool> AllowedAsync(string ns, string image)
    {
        var response = await _server.ReviewAsync("/validate", TestObjects.Review(TestObjects.Load("Pod", ns: ns, image: image)));
        return (bool)response["allowed"]!;
    }

    private Task WaitForDecisionAsync(string ns, string image, bool allowed, string what) =>
        TlsTestClient.WaitUntilAsync(async () => await AllowedAsync(ns, image) == allowed, Patience, what);

    [Fact]
    public async Task ChangedPolicyFile_NewDecisionWithoutRestart()
    {
        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: true, "the first version allows busybox:1.36");

        Write("reload.yaml", Policy("reload-test", "reload", "1.36"));

        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: false, "the edited policy denies busybox:1.36");
        Assert.True(await AllowedAsync("reload", "busybox:1.37"));
    }

    [Theory]
    [InlineData("broken YAML", "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: reload-test\nspec: [unclosed\n")]
    [InlineData("invalid field value", "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: reload-test}\nspec:\n  mode: Enforced\n  match: {namespaces: [\"reload\"]}\n  rules: {tags: {disallowed: [\"2.0\"]}}\n")]
    [InlineData("invalid duration", "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: reload-test}\nspec:\n  mode: Enforce\n  match: {namespaces: [\"reload\"]}\n  rules: {tags: {disallowed: [\"2.0\"]}, scan: {maxAge: 7d}}\n")]
    // A misspelt kind once read as "no policy here": the policy vanished on reload without a word.
    [InlineData("misspelt kind", "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicyy\nmetadata: {name: reload-test}\nspec:\n  mode: Enforce\n  match: {namespaces: [\"reload\"]}\n  rules: {tags: {disallowed: [\"2.0\"]}}\n")]
    public async Task InvalidatedPolicyFile_LastGoodVersionKeepsDecidingAndServerStaysReady(string what, string invalid)
    {
        Write("reload.yaml", Policy("reload-test", "reload", "1.36"));
        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: false, "the good version denies busybox:1.36");

        Write("reload.yaml", invalid);
        // A second, valid change in the same directory: once it is seen, the reload that read the invalid file has happened.
        Write("marker.yaml", Policy("marker", "marker", "1.36"));
        await WaitForDecisionAsync("marker", "busybox:1.36", allowed: false, $"a reload after the {what} edit");

        Assert.False(await AllowedAsync("reload", "busybox:1.36"), $"after the {what} edit the last good version still denies");
        Assert.True(await AllowedAsync("reload", "busybox:2.0"), $"the {what} version is not used");
        using var ready = await _server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task PolicyFileGrownOver16MiB_NotReadAndLastGoodVersionKeepsDeciding()
    {
        Write("reload.yaml", Policy("reload-test", "reload", "1.36"));
        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: false, "the good version denies busybox:1.36");

        // Valid YAML, but over the cap that check applies: serve reads policy folders with the same reader.
        Write("reload.yaml", Policy("reload-test", "reload", "2.0") + "\n#" + new string('x', 16 * 1024 * 1024) + "\n");
        Write("marker.yaml", Policy("marker", "marker", "1.36"));
        await WaitForDecisionAsync("marker", "busybox:1.36", allowed: false, "a reload after the oversized edit");

        Assert.False(await AllowedAsync("reload", "busybox:1.36"), "the last good version still denies");
        Assert.True(await AllowedAsync("reload", "busybox:2.0"), "the oversized version is not used");
    }

    [Fact]
    public async Task InvalidatedPolicyFile_ThenFixed_FixedVersionDecides()
    {
        Write("reload.yaml", Policy("reload-test", "reload", "1.36"));
        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: false, "the good version denies busybox:1.36");
        Write("reload.yaml", "kind: ClusterImagePolicy\nspec: [");

        Write("reload.yaml", Policy("reload-test", "reload", "1.37"));

        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: true, "the fixed version allows busybox:1.36");
        Assert.False(await AllowedAsync("reload", "busybox:1.37"));
    }

    [Fact]
    public async Task DeletedPolicyFile_PolicyNoLongerApplies()
    {
        Write("reload.yaml", Policy("reload-test", "reload", "1.36"));
        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: false, "the policy denies busybox:1.36");

        File.Delete(Path.Combine(_server.PoliciesDir, "reload.yaml"));

        await WaitForDecisionAsync("reload", "busybox:1.36", allowed: true, "without the file busybox:1.36 is allowed");
    }

    private static string Scan(string name, string image, int critical) => $$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: ImageScan
        metadata: {name: {{name}}}
        spec:
          image: {{image}}
          digest: sha256:{{new string((char)('a' + name.Length % 6), 64)}}
          scanner: {name: trivy, version: "0.58.0"}
          scannedAt: "{{DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}}"
          vulnerabilities: {critical: {{critical}}, high: 0, medium: 0, low: 0, unknown: 0}
        """;

    // Scans are kept per file as the index's compact records (not the objects read), and still as the file's last good
    // version: a scans file broken by an edit keeps grading with what it held, one fixed grades with the fix.
    [Fact]
    public async Task InvalidatedScanFile_LastGoodScansKeepGrading_ThenFixedVersionGrades()
    {
        Write("graded.yaml", """
            apiVersion: admissionguard.io/v1alpha1
            kind: ClusterImagePolicy
            metadata: {name: graded}
            spec:
              mode: Enforce
              match: {namespaces: ["graded"]}
              rules: {scan: {maxCritical: 0}}
            """);
        var scans = Path.Combine(_server.ScansDir, "reload-scans.yaml");
        File.WriteAllText(scans, Scan("clean", "registry.example.com/team/clean:1.0", 0) + "\n---\n" + Scan("dirty", "registry.example.com/team/dirty:1.0", 2));
        await WaitForDecisionAsync("graded", "registry.example.com/team/dirty:1.0", allowed: false, "the scan with a critical finding denies");
        Assert.True(await AllowedAsync("graded", "registry.example.com/team/clean:1.0"));

        File.WriteAllText(scans, "apiVersion: admissionguard.io/v1alpha1\nkind: ImageScan\nspec: [unclosed\n");
        Write("marker.yaml", Policy("marker", "marker", "1.36"));
        await WaitForDecisionAsync("marker", "busybox:1.36", allowed: false, "a reload after the broken scans edit");
        Assert.True(await AllowedAsync("graded", "registry.example.com/team/clean:1.0"), "the last good scans still grade");
        Assert.False(await AllowedAsync("graded", "registry.example.com/team/dirty:1.0"), "the last good scans still grade");

        File.WriteAllText(scans, Scan("clean", "registry.example.com/team/clean:1.0", 3) + "\n---\n" + Scan("dirty", "registry.example.com/team/dirty:1.0", 0));
        await WaitForDecisionAsync("graded", "registry.example.com/team/dirty:1.0", allowed: true, "the fixed scans grade");
        Assert.False(await AllowedAsync("graded", "registry.example.com/team/clean:1.0"));
    }
}
