using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>The tests' own JSON Patch must be right before it can judge the server's patches.</summary>
public sealed class JsonPatchTests
{
    [Fact]
    public void Apply_EscapedPointerTokens_AreUnescapedInRfc6901Order()
    {
        var doc = JsonNode.Parse("""{"a/b": {"m~n": 1, "~1": 2}}""")!;
        var patch = JsonNode.Parse("""[{"op":"test","path":"/a~1b/m~0n","value":1},{"op":"replace","path":"/a~1b/~01","value":3},{"op":"add","path":"/a~1b/new","value":[1]}]""")!.AsArray();

        var result = JsonPatch.Apply(doc, patch);

        Assert.Equal("""{"a/b":{"m~n":1,"~1":3,"new":[1]}}""", result.ToJsonString());
        Assert.Equal("""{"a/b":{"m~n":1,"~1":2}}""", doc.ToJsonString());
    }

    [Theory]
    [InlineData("""[{"op":"test","path":"/x","value":2}]""")]
    [InlineData("""[{"op":"replace","path":"/missing","value":2}]""")]
    [InlineData("""[{"op":"replace","path":"/list/01","value":2}]""")]
    [InlineData("""[{"op":"replace","path":"/list/1","value":2}]""")]
    [InlineData("""[{"op":"remove","path":"/x"}]""")]
    [InlineData("""[{"op":"replace","path":"x","value":2}]""")]
    public void Apply_InvalidOrFailingOperation_Throws(string patch)
    {
        var doc = JsonNode.Parse("""{"x": 1, "list": [0]}""")!;

        Assert.Throws<InvalidOperationException>(() => JsonPatch.Apply(doc, JsonNode.Parse(patch)!.AsArray()));
    }

    [Fact]
    public void Apply_AddIntoArray_InsertsAtIndexOrEnd()
    {
        var doc = JsonNode.Parse("""{"list": [1, 3]}""")!;
        var patch = JsonNode.Parse("""[{"op":"add","path":"/list/1","value":2},{"op":"add","path":"/list/-","value":4}]""")!.AsArray();

        Assert.Equal("""{"list":[1,2,3,4]}""", JsonPatch.Apply(doc, patch).ToJsonString());
    }
}
