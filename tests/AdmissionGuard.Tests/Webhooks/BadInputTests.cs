using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>Whatever arrives, the answer is a 4xx with a readable reason or a valid denying review; never a 500 or a stack trace.</summary>
[Collection(WebhookTestGroup.Name)]
public sealed class BadInputTests(WebhookServer server)
{
    private static async Task<(HttpStatusCode Status, string Body)> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            return (response.StatusCode, body);
        }
    }

    public static TheoryData<string, string> NotAReview() => new()
    {
        { "not json", "this is not JSON {" },
        { "truncated", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""" },
        { "null", "null" },
        { "array", "[1,2,3]" },
        { "wrong apiVersion", """{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE"}}""" },
        { "wrong kind", """{"apiVersion":"admission.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u1","operation":"CREATE"}}""" },
        { "no request", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""" },
        { "no uid", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"kind":"Pod"}}}""" },
        { "empty uid", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"","operation":"CREATE"}}""" },
    };

    [Theory]
    [MemberData(nameof(NotAReview))]
    public async Task Post_NotAnAdmissionReview_Returns400WithReason(string name, string body)
    {
        foreach (var path in new[] { "/validate", "/mutate" })
        {
            var (status, text) = await ReadAsync(await server.PostAsync(path, body));

            Assert.True(status == HttpStatusCode.BadRequest, $"{name} {path}: {(int)status} {text}");
            Assert.False(string.IsNullOrWhiteSpace(text), name);
        }
    }

    [Fact]
    public async Task Validate_MissingObjectWithUid_DeniesWithReason()
    {
        var review = TestObjects.Review(TestObjects.Load("Pod"), uid: "no-object");
        review["request"]!.AsObject().Remove("object");

        var response = await server.ReviewAsync("/validate", review);

        Assert.False((bool)response["allowed"]!);
        Assert.Equal(403, (int)response["status"]!["code"]!);
        Assert.Contains("no object", (string)response["status"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TypeMismatchedFieldWithReadableUid_DeniesWithReason()
    {
        var pod = TestObjects.Load("Pod");
        TestObjects.Containers(pod)[0]!["image"] = 42;
        var review = TestObjects.Review(pod, uid: "type-mismatch");

        var response = await server.ReviewAsync("/validate", review);

        Assert.False((bool)response["allowed"]!);
        Assert.Equal("Forbidden", (string?)response["status"]!["reason"]);
        var message = (string)response["status"]!["message"]!;
        Assert.Contains("malformed AdmissionReview", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ContainersNotAList_DeniesWithReason()
    {
        var pod = TestObjects.Load("Pod");
        TestObjects.PodSpec(pod)["containers"] = "web";

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.False((bool)response["allowed"]!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Validate_DeeplyNestedBody_Answers4xxOrDenies(bool uidFirst)
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var request = uidFirst
            ? """{"uid":"deep","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"kind":"Pod","spec":{"x":""" + deep + "}}}"
            : """{"object":{"kind":"Pod","spec":{"x":""" + deep + """}},"uid":"deep","operation":"CREATE"}""";
        var body = $$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{request}}}""";

        var (status, text) = await ReadAsync(await server.PostAsync("/validate", body));

        if (status == HttpStatusCode.OK)
        {
            var response = JsonNode.Parse(text)!["response"]!;
            Assert.Equal("deep", (string?)response["uid"]);
            Assert.False((bool)response["allowed"]!);
        }
        else
        {
            Assert.InRange((int)status, 400, 499);
        }

        Assert.Equal(uidFirst ? HttpStatusCode.OK : HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Post_DeeplyNestedTopLevelArray_Returns400()
    {
        var (status, _) = await ReadAsync(await server.PostAsync("/validate", new string('[', 10_000) + new string(']', 10_000)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private static byte[] OversizedReview()
    {
        // A syntactically valid review that is over 3 MiB only because of a big annotation.
        var pod = TestObjects.Load("Pod");
        pod["metadata"]!["annotations"]!["big"] = new string('x', (3 * 1024 * 1024) + 10);
        return Encoding.UTF8.GetBytes(TestObjects.Review(pod).ToJsonString());
    }

    [Fact]
    public async Task Post_BodyOver3MiBWithContentLength_Returns413()
    {
        var content = new ByteArrayContent(OversizedReview());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var (status, text) = await ReadAsync(await server.Client.PostAsync("/validate", content));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOver3MiBChunked_Returns413()
    {
        var content = new StreamContent(new MemoryStream(OversizedReview()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mutate") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var (status, _) = await ReadAsync(await server.Client.SendAsync(request));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Post_BodyJustUnder3MiB_IsStillEvaluated()
    {
        var pod = TestObjects.Load("Pod", image: "dhi.io/nginx:1.25");
        pod["metadata"]!["annotations"]!["big"] = new string('x', (3 * 1024 * 1024) - 4096);

        var response = await server.ReviewAsync("/validate", TestObjects.Review(pod));

        Assert.True((bool)response["allowed"]!);
    }

    [Theory]
    [InlineData("GET", "/validate")]
    [InlineData("PUT", "/validate")]
    [InlineData("DELETE", "/mutate")]
    [InlineData("POST", "/healthz")]
    public async Task Request_WrongMethod_Returns405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent(TestObjects.Review(TestObjects.Load("Pod")).ToJsonString(), Encoding.UTF8, "application/json");
        }

        var (status, _) = await ReadAsync(await server.Client.SendAsync(request));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/yaml")]
    public async Task Post_WrongContentType_Returns415(string contentType)
    {
        var (status, text) = await ReadAsync(await server.PostAsync("/validate", TestObjects.Review(TestObjects.Load("Pod")).ToJsonString(), contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("application/json", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_EmptyBody_Returns400()
    {
        var (status, _) = await ReadAsync(await server.PostAsync("/validate", ""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task PlainHttp_ToTheTlsPort_Fails()
    {
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var uri = new UriBuilder(server.BaseUri) { Scheme = "http", Path = "/validate" }.Uri;
        using var content = new StringContent(TestObjects.Review(TestObjects.Load("Pod")).ToJsonString(), Encoding.UTF8, "application/json");

        // Kestrel's TLS listener drops a connection that does not start with a TLS handshake: no answer at all.
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.PostAsync(uri, content));
    }

    [Fact]
    public async Task Https_ClientTrustingAnotherCa_IsRefused()
    {
        using var otherCa = AdmissionGuard.Certificates.SelfSignedCertificateAuthority.Create();
        using var stranger = Certificates.TlsTestClient.Create([otherCa.Certificate]);

        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync(new Uri(server.BaseUri, "/healthz")));
    }
}
