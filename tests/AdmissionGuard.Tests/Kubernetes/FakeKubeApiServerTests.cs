using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AdmissionGuard.Kubernetes;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>The fake's behaviours as the Kubernetes API conventions state them, over its real HTTPS with the kubeconfig's token.</summary>
public sealed class FakeKubeApiServerTests : IAsyncLifetime, IDisposable
{
    private static readonly string Policies = ResourcePath.ClusterImagePolicies.Collection;
    private FakeKubeApiServer server = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        server = await FakeKubeApiServer.StartAsync();
        var ca = server.Ca;
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Certificates.TlsTestClient.ChainsToOneOf(certificate, errors, [ca]) },
        };
        http = new HttpClient(handler) { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FakeKubeApiServer.Token);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task Request_WithoutBearerToken_Unauthorized()
    {
        http.DefaultRequestHeaders.Authorization = null;
        using var again = await http.GetAsync(Policies);

        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var status = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(("Status", "Unauthorized", 401), ((string?)status["kind"], (string?)status["reason"], (int)status["code"]!));
    }

    [Fact]
    public async Task Create_AnyObject_ServerFieldsAndManagedFieldsSet()
    {
        var created = await SendAsync(HttpMethod.Post, Policies + "?fieldManager=me", TestObjects.ClusterPolicy("a"));

        var meta = created["metadata"]!;
        Assert.False(string.IsNullOrEmpty((string?)meta["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)meta["resourceVersion"]));
        Assert.Equal("2026-11-01T00:00:00Z", (string?)meta["creationTimestamp"]);
        Assert.Equal(1, (long)meta["generation"]!);
        var entry = Assert.Single(meta["managedFields"]!.AsArray())!;
        Assert.Equal("me", (string?)entry["manager"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        Assert.NotNull(entry["fieldsV1"]!["f:spec"]);
    }

    [Fact]
    public async Task List_PagedWithLimit_KindListItemsWithoutKindFromOneSnapshot()
    {
        server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        server.Apply(Policies, TestObjects.ClusterPolicy("b"));
        var first = await GetAsync(Policies + "?limit=1");
        server.Apply(Policies, TestObjects.ClusterPolicy("c"));
        server.Delete(Policies, "b");

        var second = await GetAsync(Policies + "?limit=1&continue=" + Uri.EscapeDataString((string)first["metadata"]!["continue"]!));

        Assert.Equal(("ClusterImagePolicyList", "admissionguard.io/v1alpha1"), ((string?)first["kind"], (string?)first["apiVersion"]));
        var item = Assert.Single(first["items"]!.AsArray())!.AsObject();
        Assert.False(item.ContainsKey("kind") || item.ContainsKey("apiVersion"));
        Assert.Equal("a", (string?)item["metadata"]!["name"]);
        Assert.Equal("b", (string?)second["items"]![0]!["metadata"]!["name"]);
        Assert.Equal((string?)first["metadata"]!["resourceVersion"], (string?)second["metadata"]!["resourceVersion"]);
        Assert.Null(second["metadata"]!["continue"]);
    }

    [Fact]
    public async Task List_ContinueTokenAfterCompaction_Gone()
    {
        server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        server.Apply(Policies, TestObjects.ClusterPolicy("b"));
        var first = await GetAsync(Policies + "?limit=1");
        server.Compact();

        using var response = await http.GetAsync(Policies + "?limit=1&continue=" + Uri.EscapeDataString((string)first["metadata"]!["continue"]!));

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("Expired", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task Write_StaleResourceVersion_Conflict(string method)
    {
        var stored = server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        var stale = (string)stored["metadata"]!["resourceVersion"]!;
        server.Apply(Policies, TestObjects.ClusterPolicy("a", mode: "Warn"));

        var body = method == "PUT"
            ? TestObjects.ClusterPolicy("a").Replace("\"name\":\"a\"", $"\"name\":\"a\",\"resourceVersion\":\"{stale}\"", StringComparison.Ordinal)
            : $$$"""{"metadata":{"resourceVersion":"{{{stale}}}"},"spec":{"mode":"Audit"}}""";
        using var response = await RawAsync(new HttpMethod(method), $"{Policies}/a", body, method == "PUT" ? "application/json" : "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(
            "Operation cannot be fulfilled on clusterimagepolicies.admissionguard.io \"a\": the object has been modified; please apply your changes to the latest version and try again",
            (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]);
    }

    [Fact]
    public async Task StatusWrite_SpecInBodyIgnoredAndGenerationKept_SpecWriteKeepsStatus()
    {
        server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        var patched = await SendAsync(HttpMethod.Patch, $"{Policies}/a/status", """{"spec":{"mode":"Audit"},"status":{"observedGeneration":1}}""", "application/merge-patch+json");
        Assert.Equal(("Enforce", 1L, 1L), ((string?)patched["spec"]!["mode"], (long)patched["metadata"]!["generation"]!, (long)patched["status"]!["observedGeneration"]!));

        var spec = await SendAsync(HttpMethod.Patch, $"{Policies}/a", """{"spec":{"mode":"Warn"},"status":{"observedGeneration":99}}""", "application/merge-patch+json");
        Assert.Equal(("Warn", 2L, 1L), ((string?)spec["spec"]!["mode"], (long)spec["metadata"]!["generation"]!, (long)spec["status"]!["observedGeneration"]!));
    }

    [Fact]
    public async Task Write_ChangesNothing_ResourceVersionUnchangedAndNoEvent()
    {
        var stored = server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        var patched = await SendAsync(HttpMethod.Patch, $"{Policies}/a", """{"spec":{"mode":"Enforce"}}""", "application/merge-patch+json");

        Assert.Equal((string?)stored["metadata"]!["resourceVersion"], (string?)patched["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_SyntheticAddedThenChanges_EndsAtTimeoutSeconds()
    {
        server.Apply(Policies, TestObjects.ClusterPolicy("a"));
        using var response = await http.GetAsync(Policies + "?watch=true&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal(("ADDED", "a"), ((string?)first["type"], (string?)first["object"]!["metadata"]!["name"]));

        // The server ends the stream cleanly once timeoutSeconds is up.
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Watch_LabelSelector_DeletedWhenObjectLeavesAddedWhenItEnters_BookmarksOnlyWhenAllowed()
    {
        var list = await GetAsync(ResourcePath.Namespaces.Collection);
        var rv = (string)list["metadata"]!["resourceVersion"]!;
        server.Apply(ResourcePath.Namespaces.Collection, TestObjects.Namespace("team", """{"tier":"prod"}"""));
        server.Apply(ResourcePath.Namespaces.Collection, TestObjects.Namespace("team", """{"tier":"dev"}"""));
        server.Bookmark(ResourcePath.Namespaces.Collection);
        server.Apply(ResourcePath.Namespaces.Collection, TestObjects.Namespace("team", """{"tier":"prod"}"""));

        var events = await ReadEventsAsync($"{ResourcePath.Namespaces.Collection}?watch=true&resourceVersion={rv}&labelSelector=tier%3Dprod", 3);
        var withBookmarks = await ReadEventsAsync($"{ResourcePath.Namespaces.Collection}?watch=true&resourceVersion={rv}&labelSelector=tier%3Dprod&allowWatchBookmarks=true", 4);

        Assert.Equal(["ADDED", "DELETED", "ADDED"], events);
        Assert.Equal(["ADDED", "DELETED", "BOOKMARK", "ADDED"], withBookmarks);
    }

    [Fact]
    public async Task Watch_TooOldResourceVersion_ErrorEventWithGoneStatus()
    {
        var rv = (string)server.Apply(Policies, TestObjects.ClusterPolicy("a"))["metadata"]!["resourceVersion"]!;
        server.Apply(Policies, TestObjects.ClusterPolicy("a", mode: "Warn"));
        server.Compact();

        using var response = await http.GetAsync($"{Policies}?watch=true&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var error = JsonNode.Parse((await reader.ReadLineAsync())!)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("ERROR", "Status", 410, "Expired"), ((string?)error["type"], (string?)error["object"]!["kind"], (int)error["object"]!["code"]!, (string?)error["object"]!["reason"]));
    }

    [Fact]
    public async Task Request_VerbNotGranted_ForbiddenWithTheApiServersWording()
    {
        server.Forbid("list", Policies);

        using var response = await http.GetAsync(Policies);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "clusterimagepolicies.admissionguard.io is forbidden: User \"system:serviceaccount:ci:scanner\" cannot list resource \"clusterimagepolicies\" in API group \"admissionguard.io\" at the cluster scope",
            (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]);
    }

    private async Task<List<string>> ReadEventsAsync(string path, int count)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var types = new List<string>();
        while (types.Count < count && await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            types.Add((string)JsonNode.Parse(line)!["type"]!);
        }

        return types;
    }

    private async Task<JsonNode> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var response = await RawAsync(method, path, body, contentType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await http.SendAsync(request);
    }
}
