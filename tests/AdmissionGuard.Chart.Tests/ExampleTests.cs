using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AdmissionGuard.Chart.Tests.Support;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Chart.Tests;

public class ExampleTests
{
    private static readonly JsonSerializerOptions ModelJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static TheoryData<string> ValidExamples => Examples("valid");

    public static TheoryData<string> InvalidExamples => Examples("invalid");

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_ValidatesAgainstItsCrdSchema(string example)
    {
        var instance = Load("valid", example);

        var errors = OpenApiSchema.Validate(SchemaFor(instance), instance);

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExample_RoundTripsThroughTheCSharpTypes(string example)
    {
        var instance = Load("valid", example)!;
        var type = (string?)instance["kind"] switch
        {
            "ClusterImagePolicy" or "ImagePolicy" => typeof(ImagePolicy),
            "HardenedImageSource" => typeof(HardenedImageSource),
            "ImageScan" => typeof(ImageScan),
            var kind => throw new InvalidOperationException("unexpected kind " + kind),
        };

        var model = instance.Deserialize(type, ModelJson);
        var back = JsonSerializer.SerializeToNode(model, type, ModelJson);

        Assert.True(JsonNode.DeepEquals(NormalizeTimes(instance), NormalizeTimes(back)), $"{example} changed on the way through {type.Name}:\n{instance}\n{back}");
        Assert.Single(KubeObjects.LoadAll(File.ReadAllText(Path.Combine(RepoPaths.Examples, "valid", example))));
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void BrokenExample_FailsSchemaValidation_NamingTheField(string example)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Examples, "invalid", example));
        var expect = text.Split('\n')[0];
        Assert.StartsWith("# expect-error: ", expect, StringComparison.Ordinal);
        var parts = expect["# expect-error: ".Length..].Trim().Split(' ', 2);
        var (location, mention) = (parts[0], parts.Length > 1 ? parts[1] : null);
        var instance = YamlJson.LoadSingle(text);

        var errors = OpenApiSchema.Validate(SchemaFor(instance), instance);

        Assert.NotEmpty(errors);
        Assert.True(
            errors.Any(e => e.Location == location && (mention is null || e.Message.Contains(mention, StringComparison.Ordinal))),
            $"expected an error at {location}{(mention is null ? "" : $" naming {mention}")}, got: {string.Join("; ", errors)}");
    }

    [Fact]
    public void BrokenExample_ModeEnforced_NamesModeAndTheAllowedValues()
    {
        var instance = Load("invalid", "clusterimagepolicy-mode-enforced.yaml");

        var error = Assert.Single(OpenApiSchema.Validate(SchemaFor(instance), instance));

        Assert.Equal("/spec/mode", error.Location);
        Assert.Contains("enum", error.Message, StringComparison.Ordinal);
    }

    /// <summary>DateTimeOffset writes "+00:00" where the example says "Z": the same instant, so compare instants.</summary>
    private static JsonNode? NormalizeTimes(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, NormalizeTimes(p.Value)))),
        JsonArray a => new JsonArray(a.Select(NormalizeTimes).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) && s.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t)
            => JsonValue.Create(t.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        _ => node?.DeepClone(),
    };

    private static Json.Schema.JsonSchema SchemaFor(JsonNode? instance) =>
        OpenApiSchema.ToJsonSchema(Crds.SchemaOf((string)instance!["kind"]!));

    private static JsonNode? Load(string folder, string example) =>
        YamlJson.LoadSingle(File.ReadAllText(Path.Combine(RepoPaths.Examples, folder, example)));

    private static TheoryData<string> Examples(string folder)
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Examples, folder), "*.yaml").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(files);
        return new TheoryData<string>(files!);
    }
}
