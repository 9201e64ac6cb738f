using System.Text.Json.Nodes;
using AdmissionGuard.Tests.Webhooks;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AdmissionGuard.Tests.Adversarial;

/// <summary>
/// Every folder under Adversarial/Corpus/&lt;family&gt;/&lt;case&gt; sent as written (review.json) to the real server
/// over TLS, and its answer held to expected.yaml. Adding a case means adding a folder.
/// </summary>
public sealed class AdversarialCorpusTests(CorpusServers servers) : IClassFixture<CorpusServers>
{
    private static readonly string CorpusRoot = Path.Combine(RepoPaths.Root, "tests", "AdmissionGuard.Tests", "Adversarial", "Corpus");

    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    // Ordered by policy set so each server is started once and its cases run back to back.
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(CorpusRoot).SelectMany(Directory.GetDirectories)
                     .OrderBy(d => File.ReadAllText(Path.Combine(d, "policies.yaml")), StringComparer.Ordinal)
                     .ThenBy(d => d, StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(CorpusRoot, dir).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void Corpus_EveryFamily_HasCasesAndAtLeast150InAll()
    {
        var families = Directory.GetDirectories(CorpusRoot);
        Assert.NotEmpty(families);
        Assert.All(families, f => Assert.NotEmpty(Directory.GetDirectories(f)));
        var count = families.Sum(f => Directory.GetDirectories(f).Length);
        Assert.True(count >= 150, $"{count} cases");
        foreach (var dir in families.SelectMany(Directory.GetDirectories))
        {
            Assert.True(File.ReadLines(Path.Combine(dir, "expected.yaml")).Any(l => l.StartsWith("# bypass:", StringComparison.Ordinal) || l.StartsWith("# holds:", StringComparison.Ordinal)), $"{dir}: expected.yaml says what it guards");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Review_AdversarialCase_AnswersAsExpected(string name)
    {
        var dir = Path.Combine(CorpusRoot, name);
        var scansFile = Path.Combine(dir, "scans.yaml");
        var server = await servers.ForAsync(File.ReadAllText(Path.Combine(dir, "policies.yaml")), File.Exists(scansFile) ? File.ReadAllText(scansFile) : null);
        var review = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "review.json")))!.AsObject();
        var expected = Yaml.Deserialize<CorpusExpectation>(File.ReadAllText(Path.Combine(dir, "expected.yaml")));

        var response = await server.ReviewAsync("/" + expected.Endpoint, review);

        var message = (string?)response["status"]?["message"] ?? "";
        var warnings = response["warnings"]?.AsArray().Select(w => (string)w!).ToList() ?? [];
        var seen = $"{name}: answered {response.ToJsonString()}";
        Assert.True(expected.Allowed == (bool)response["allowed"]!, seen);
        if (!expected.Allowed)
        {
            Assert.True(403 == (int?)response["status"]?["code"], seen);
        }

        Assert.All(expected.Message, m => Assert.True(message.Contains(m, StringComparison.Ordinal), $"message lacks \"{m}\"; {seen}"));
        Assert.All(expected.Warnings, w => Assert.True(warnings.Any(x => x.Contains(w, StringComparison.Ordinal)), $"no warning with \"{w}\"; {seen}"));

        if (expected.Patched is { } patched)
        {
            if (patched.Count == 0)
            {
                Assert.True(response["patch"] is null, $"no patch expected; {seen}");
                return;
            }

            Assert.True(response["patch"] is not null, $"a patch expected; {seen}");
            var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
            var result = JsonPatch.Apply(review["request"]!["object"]!.AsObject(), patch);
            foreach (var (pointer, image) in patched)
            {
                Assert.True(image == At(result, pointer), $"{pointer} is \"{At(result, pointer)}\", expected \"{image}\"; {seen}");
            }
        }
        else if (expected.Endpoint == "mutate")
        {
            Assert.True(response["patch"] is null, $"no patch expected; {seen}");
        }
    }

    private static string? At(JsonNode node, string pointer)
    {
        JsonNode? current = node;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current is JsonArray array ? array[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)] : current?[token];
        }

        return (string?)current;
    }
}
