using System.Text.Json;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Tests.Serialization;

public class YamlDocumentsTests
{
    private static JsonElement Single(string yaml)
    {
        var documents = YamlDocuments.Read(yaml);
        var document = Assert.Single(documents);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Read_MultiDocument_ReturnsEachInOrder()
    {
        var documents = YamlDocuments.Read("a: 1\n---\nb: 2\n---\n- x\n- y\n");
        Assert.Equal(3, documents.Count);
        Assert.Equal(1, documents[0].RootElement.GetProperty("a").GetInt32());
        Assert.Equal(2, documents[1].RootElement.GetProperty("b").GetInt32());
        Assert.Equal(JsonValueKind.Array, documents[2].RootElement.ValueKind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("---\n")]
    [InlineData("---\n---\n...\n")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void Read_EmptyDocuments_AreSkipped(string yaml) => Assert.Empty(YamlDocuments.Read(yaml));

    [Fact]
    public void Read_EmptyDocumentsBetweenObjects_KeepsOnlyObjects()
    {
        var documents = YamlDocuments.Read("---\n---\nkind: Pod\n---\n\n---\nkind: Job\n---\n");
        Assert.Equal(["Pod", "Job"], documents.Select(d => d.RootElement.GetProperty("kind").GetString()));
    }

    [Fact]
    public void Read_Json_IsYaml()
    {
        var root = Single("""{"kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}}""");
        Assert.Equal("nginx", root.GetProperty("spec").GetProperty("containers")[0].GetProperty("image").GetString());
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "duplicate key \"a\"", 2)]
    [InlineData("spec:\n  mode: Warn\n  rules: {}\n  mode: Enforce\n", "duplicate key \"mode\"", 4)]
    public void Read_DuplicateKey_IsRejectedWithLine(string yaml, string fragment, int line)
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read(yaml));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("base: &b {x: 1}\nother: *b\n", "aliases")]
    [InlineData("base: {x: 1}\nother:\n  <<: {x: 2}\n", "merge keys (<<) are not supported")]
    [InlineData("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys (<<) are not supported")]
    public void Read_MergeKeysAndAliases_AreRejectedClearly(string yaml, string fragment)
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read(yaml));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid YAML at line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_QuotedMergeKey_IsAnOrdinaryKey()
    {
        var root = Single("\"<<\": 1\n");
        Assert.Equal(1, root.GetProperty("<<").GetInt32());
    }

    [Theory]
    [InlineData("10", JsonValueKind.Number, "10")]
    [InlineData("-3", JsonValueKind.Number, "-3")]
    [InlineData("1.5", JsonValueKind.Number, "1.5")]
    [InlineData("1e3", JsonValueKind.Number, "1e3")]
    [InlineData("\"10\"", JsonValueKind.String, "10")]
    [InlineData("'1.5'", JsonValueKind.String, "1.5")]
    [InlineData("!!str 5", JsonValueKind.String, "5")]
    [InlineData("0777", JsonValueKind.String, "0777")]
    [InlineData("0x1F", JsonValueKind.String, "0x1F")]
    [InlineData("1_000", JsonValueKind.String, "1_000")]
    [InlineData(".inf", JsonValueKind.String, ".inf")]
    [InlineData("1.", JsonValueKind.String, "1.")]
    [InlineData("1.25-alpine", JsonValueKind.String, "1.25-alpine")]
    [InlineData("168h", JsonValueKind.String, "168h")]
    [InlineData("true", JsonValueKind.True, "true")]
    [InlineData("False", JsonValueKind.False, "false")]
    [InlineData("'true'", JsonValueKind.String, "true")]
    [InlineData("yes", JsonValueKind.String, "yes")]
    [InlineData("~", JsonValueKind.Null, "")]
    [InlineData("null", JsonValueKind.Null, "")]
    [InlineData("\"null\"", JsonValueKind.String, "null")]
    public void Read_Scalar_KeepsNumbersAndStringsApart(string scalar, JsonValueKind kind, string text)
    {
        var value = Single($"v: {scalar}\n").GetProperty("v");
        Assert.Equal(kind, value.ValueKind);
        switch (kind)
        {
            case JsonValueKind.String:
                Assert.Equal(text, value.GetString());
                break;
            case JsonValueKind.Number:
                Assert.Equal(text, value.GetRawText());
                break;
        }
    }

    [Fact]
    public void Read_DeepNestingWithinLimit_Succeeds()
    {
        var yaml = "v: " + new string('[', 60) + new string(']', 60) + "\n";
        var value = Single(yaml).GetProperty("v");
        var depth = 0;
        while (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
        {
            value = value[0];
            depth++;
        }

        Assert.Equal(59, depth);
    }

    [Fact]
    public void Read_NestingBeyondLimit_IsRejected()
    {
        var yaml = "v: " + new string('[', 200) + new string(']', 200) + "\n";
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read(yaml));
        Assert.Contains("nesting deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: 1\nb: [1, 2\nc: 3\n")]
    [InlineData("a: {x: 1\n")]
    [InlineData("a: \"unclosed\n")]
    [InlineData("a: b: c\n")]
    [InlineData("- a\nb: 1\n")]
    [InlineData("!![?d\0\0\u00c9")]   // found by the policy fuzzer: YamlDotNet threw ArgumentException for the tag
    [InlineData("!<not a uri> x\n")]
    public void Read_BrokenYaml_IsInvalidDataNamingTheLine(string yaml)
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read(yaml));
        Assert.StartsWith("invalid YAML at line", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "-0")]
    [InlineData("+5", "5")]
    [InlineData("0.5", "0.5")]
    [InlineData("-1.25", "-1.25")]
    [InlineData("1E3", "1E3")]
    [InlineData("1e+3", "1e+3")]
    [InlineData("2.5e-3", "2.5e-3")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void Read_PlainJsonNumber_IsANumberAsWritten(string scalar, string raw)
    {
        var value = Single($"v: {scalar}\n").GetProperty("v");
        Assert.Equal(JsonValueKind.Number, value.ValueKind);
        Assert.Equal(raw, value.GetRawText());
    }

    [Theory]
    [InlineData("+")]
    [InlineData("00")]
    [InlineData("-01")]
    [InlineData(".5")]
    [InlineData("1.5.5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1E-x")]
    [InlineData("1.e3")]
    [InlineData("5x")]
    [InlineData("1.5x")]
    [InlineData("1e5x")]
    [InlineData("--1")]
    [InlineData("+-1")]
    [InlineData("1,5")]
    [InlineData("nan")]
    public void Read_PlainScalarThatIsNoJsonNumber_IsAString(string scalar)
    {
        var value = Single($"v: {scalar}\n").GetProperty("v");
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Equal(scalar, value.GetString());
    }

    [Theory]
    [InlineData("Null")]
    [InlineData("NULL")]
    [InlineData("")]
    public void Read_YamlNullSpellings_AreNull(string scalar)
    {
        Assert.Equal(JsonValueKind.Null, Single($"v: {scalar}\n").GetProperty("v").ValueKind);
    }

    [Theory]
    [InlineData("True", JsonValueKind.True)]
    [InlineData("TRUE", JsonValueKind.True)]
    [InlineData("false", JsonValueKind.False)]
    [InlineData("FALSE", JsonValueKind.False)]
    public void Read_YamlBooleanSpellings_AreBooleans(string scalar, JsonValueKind kind)
    {
        Assert.Equal(kind, Single($"v: {scalar}\n").GetProperty("v").ValueKind);
    }

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("\"10\"")]
    [InlineData("'~'")]
    [InlineData("|\n  10")]
    public void Read_QuotedOrBlockScalar_IsAString(string scalar)
    {
        Assert.Equal(JsonValueKind.String, Single($"v: {scalar}\n").GetProperty("v").ValueKind);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    public void Read_NestingUpToTheLimit_Succeeds(int levels)
    {
        // Levels count every collection, the document's root mapping included.
        var yaml = "v: " + new string('[', levels - 1) + new string(']', levels - 1) + "\n";
        var value = Single(yaml).GetProperty("v");
        var depth = 1;
        while (value.ValueKind == JsonValueKind.Array)
        {
            depth++;
            if (value.GetArrayLength() == 0)
            {
                break;
            }

            value = value[0];
        }

        Assert.Equal(levels, depth);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(66)]
    public void Read_NestingOneBeyondTheLimit_IsInvalidData(int levels)
    {
        var yaml = "v: " + new string('[', levels - 1) + new string(']', levels - 1) + "\n";
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read(yaml));
        Assert.Contains("nesting deeper than 64 levels", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid YAML at line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BrokenDocumentAfterGoodOnes_ThrowsWithItsLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read("a: 1\n---\nb: 2\n---\nc: [1\n"));
        Assert.StartsWith("invalid YAML at line", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MalformedTag_NamesTheProblem()
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read("!![?d\0\0\u00c9"));
        Assert.IsAssignableFrom<ArgumentException>(error.InnerException);
        Assert.EndsWith(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_YamlError_NamesTheInnermostCause()
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Read("a: 1\na: 2\n"));
        Assert.Equal("invalid YAML at line 2, column 1: duplicate key \"a\"", error.Message);
    }

    [Fact]
    public void Read_SameKeyInSiblingMappings_IsAllowed()
    {
        var documents = YamlDocuments.Read("a: {x: 1}\nb: {x: 2}\n");
        var root = Assert.Single(documents).RootElement;
        Assert.Equal(2, root.GetProperty("b").GetProperty("x").GetInt32());
    }
}
