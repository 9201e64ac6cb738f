using System.Text.Json;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Serialization;

public class AgJsonContextTests
{
    [Theory]
    [InlineData("""{"name": 2024}""", "2024")]
    [InlineData("""{"name": 1.20}""", "1.20")]          // the text as written, not the number 1.2
    [InlineData("""{"name": -0.5e3}""", "-0.5e3")]
    [InlineData("""{"name": true}""", "true")]
    [InlineData("""{"name": false}""", "false")]
    [InlineData("""{"name": "web"}""", "web")]
    public void Yaml_ScalarWhereStringExpected_IsTheTextAsWritten(string json, string name)
    {
        var meta = JsonSerializer.Deserialize(json, AgJsonContext.Yaml.ObjectMeta)!;
        Assert.Equal(name, meta.Name);
    }

    [Fact]
    public void Yaml_NullWhereStringExpected_IsNull()
    {
        var meta = JsonSerializer.Deserialize("""{"name": null, "namespace": "prod"}""", AgJsonContext.Yaml.ObjectMeta)!;
        Assert.Null(meta.Name);
        Assert.Equal("prod", meta.Namespace);
    }

    [Fact]
    public void Yaml_NumbersAndBooleansInStringListsAndMaps_AreTheirText()
    {
        var policy = JsonSerializer.Deserialize(
            """{"metadata": {"labels": {"2024": 1, "ready": true}}, "spec": {"match": {"namespaces": [2024, true, "prod"]}}}""",
            AgJsonContext.Yaml.ImagePolicy)!;
        Assert.Equal(["2024", "true", "prod"], policy.Spec!.Match!.Namespaces!);
        Assert.Equal("1", policy.Metadata!.Labels!["2024"]);
        Assert.Equal("true", policy.Metadata.Labels["ready"]);
    }

    [Theory]
    [InlineData("""{"name": {"first": "a"}}""", "StartObject")]
    [InlineData("""{"name": ["a"]}""", "StartArray")]
    public void Yaml_ContainerWhereStringExpected_IsAnError(string json, string found)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, AgJsonContext.Yaml.ObjectMeta));
        Assert.StartsWith($"expected a string, found {found}", error.Message, StringComparison.Ordinal);
        Assert.Equal("$.name", error.Path);
    }

    [Fact]
    public void Default_NumberWhereStringExpected_IsAnError()
    {
        // Only documents that came from YAML are lenient; the API server's JSON is taken as typed.
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"name": 2024}""", AgJsonContext.Default.ObjectMeta));
    }

    [Fact]
    public void Yaml_Serialize_WritesStringsAndMapKeysAsJson()
    {
        var meta = new ObjectMeta { Name = "web", Labels = new() { ["app"] = "a \"quoted\" name" } };
        var json = JsonSerializer.Serialize(meta, AgJsonContext.Yaml.ObjectMeta);
        Assert.Equal("""{"name":"web","labels":{"app":"a \u0022quoted\u0022 name"}}""", json);
    }

    [Fact]
    public void Wire_Serialize_KeepsQuotesReadable()
    {
        var meta = new ObjectMeta { Name = "image \"nginx\" denied" };
        Assert.Equal("""{"name":"image \"nginx\" denied"}""", JsonSerializer.Serialize(meta, AgJsonContext.Wire.ObjectMeta));
        Assert.Equal("""{"name":"image \u0022nginx\u0022 denied"}""", JsonSerializer.Serialize(meta, AgJsonContext.Default.ObjectMeta));
    }

    [Fact]
    public void WireAndYaml_AreOneInstanceEach()
    {
        Assert.Same(AgJsonContext.Wire, AgJsonContext.Wire);
        Assert.Same(AgJsonContext.Yaml, AgJsonContext.Yaml);
        Assert.NotSame(AgJsonContext.Wire, AgJsonContext.Yaml);
    }
}
