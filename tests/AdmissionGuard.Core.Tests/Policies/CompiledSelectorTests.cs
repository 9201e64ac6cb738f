using AdmissionGuard.Policies;

namespace AdmissionGuard.Tests.Policies;

/// <summary>A Kubernetes LabelSelector: <c>matchLabels</c> and <c>matchExpressions</c> ANDed, with the API server's operator semantics.</summary>
public class CompiledSelectorTests
{
    private static readonly Dictionary<string, string> ProdWeb = new() { ["env"] = "prod", ["tier"] = "web" };

    private static CompiledSelector Compile(LabelSelector? selector)
    {
        var errors = new List<(string Field, string Message)>();
        var compiled = CompiledSelector.Compile(selector, "spec.match.podSelector", errors);
        Assert.Empty(errors);
        return compiled;
    }

    private static LabelSelectorRequirement Requirement(string? key, string? op, params string[]? values) =>
        new() { Key = key, Operator = op, Values = values is null ? null : [.. values] };

    private static LabelSelector Expressions(params LabelSelectorRequirement[] requirements) => new() { MatchExpressions = [.. requirements] };

    [Fact]
    public void Compile_AbsentOrEmptySelector_MatchesEverything()
    {
        foreach (var selector in new LabelSelector?[] { null, new(), new() { MatchLabels = [], MatchExpressions = [] } })
        {
            var compiled = Compile(selector);
            Assert.True(compiled.IsEmpty);
            Assert.True(compiled.Matches(ProdWeb));
            Assert.True(compiled.Matches(new Dictionary<string, string>()));
            Assert.True(compiled.Matches(null));
        }
    }

    [Fact]
    public void MatchLabels_EveryPairMustBePresentWithThatValue()
    {
        var compiled = Compile(new LabelSelector { MatchLabels = new() { ["env"] = "prod", ["tier"] = "web" } });

        Assert.False(compiled.IsEmpty);
        Assert.True(compiled.Matches(new Dictionary<string, string>(ProdWeb) { ["extra"] = "x" }));
        Assert.False(compiled.Matches(new Dictionary<string, string> { ["env"] = "prod" }));
        Assert.False(compiled.Matches(new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "api" }));
        Assert.False(compiled.Matches(new Dictionary<string, string>()));
        Assert.False(compiled.Matches(null));
    }

    [Theory]
    [InlineData("In", "prod", true)]
    [InlineData("In", "staging", true)]
    [InlineData("In", "dev", false)]
    [InlineData("In", null, false)]
    [InlineData("NotIn", "prod", false)]
    [InlineData("NotIn", "staging", false)]
    [InlineData("NotIn", "dev", true)]
    [InlineData("NotIn", null, true)]
    public void Expression_InAndNotIn_OverTheValueOfKey(string op, string? env, bool expected)
    {
        var compiled = Compile(Expressions(Requirement("env", op, "prod", "staging")));
        var labels = env is null ? new Dictionary<string, string> { ["other"] = "prod" } : new Dictionary<string, string> { ["env"] = env };

        Assert.Equal(expected, compiled.Matches(labels));
    }

    [Theory]
    [InlineData("Exists", "prod", true)]
    [InlineData("Exists", "", true)]
    [InlineData("Exists", null, false)]
    [InlineData("DoesNotExist", "prod", false)]
    [InlineData("DoesNotExist", "", false)]
    [InlineData("DoesNotExist", null, true)]
    public void Expression_ExistsAndDoesNotExist_OverThePresenceOfKey(string op, string? env, bool expected)
    {
        var compiled = Compile(Expressions(Requirement("env", op)));
        var labels = env is null ? new Dictionary<string, string> { ["tier"] = "web" } : new Dictionary<string, string> { ["env"] = env };

        Assert.Equal(expected, compiled.Matches(labels));
    }

    [Theory]
    [InlineData("NotIn", true)]
    [InlineData("DoesNotExist", true)]
    [InlineData("In", false)]
    [InlineData("Exists", false)]
    public void Expression_NoLabelsAtAll_MatchesOnlyTheAbsenceOperators(string op, bool expected)
    {
        var compiled = Compile(Expressions(op is "In" or "NotIn" ? Requirement("env", op, "prod") : Requirement("env", op)));

        Assert.Equal(expected, compiled.Matches(null));
        Assert.Equal(expected, compiled.Matches(new Dictionary<string, string>()));
    }

    [Fact]
    public void MatchLabelsAndExpressions_AreAnded()
    {
        var compiled = Compile(new LabelSelector
        {
            MatchLabels = new() { ["env"] = "prod" },
            MatchExpressions = [Requirement("tier", "In", "web"), Requirement("legacy", "DoesNotExist")],
        });

        Assert.True(compiled.Matches(ProdWeb));
        Assert.False(compiled.Matches(new Dictionary<string, string>(ProdWeb) { ["legacy"] = "true" }));
        Assert.False(compiled.Matches(new Dictionary<string, string> { ["env"] = "dev", ["tier"] = "web" }));
        Assert.False(compiled.Matches(new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "db" }));
    }

    [Theory]
    [InlineData(null, "In", new[] { "a" }, "spec.match.podSelector.matchExpressions[1].key", "required")]
    [InlineData("", "Exists", null, "spec.match.podSelector.matchExpressions[1].key", "required")]
    [InlineData("env", "in", new[] { "a" }, "spec.match.podSelector.matchExpressions[1].operator", "\"in\" is not one of In, NotIn, Exists, DoesNotExist")]
    [InlineData("env", null, null, "spec.match.podSelector.matchExpressions[1].operator", "\"\" is not one of In, NotIn, Exists, DoesNotExist")]
    [InlineData("env", "In", null, "spec.match.podSelector.matchExpressions[1].values", "must be non-empty for In")]
    [InlineData("env", "NotIn", new string[0], "spec.match.podSelector.matchExpressions[1].values", "must be non-empty for NotIn")]
    [InlineData("env", "Exists", new[] { "a" }, "spec.match.podSelector.matchExpressions[1].values", "must be empty for Exists")]
    [InlineData("env", "DoesNotExist", new[] { "a" }, "spec.match.podSelector.matchExpressions[1].values", "must be empty for DoesNotExist")]
    public void Compile_BadExpression_ReportsItsPath(string? key, string? op, string[]? values, string field, string message)
    {
        var errors = new List<(string Field, string Message)>();

        CompiledSelector.Compile(Expressions(Requirement("tier", "Exists"), Requirement(key, op, values)), "spec.match.podSelector", errors);

        Assert.Equal([(field, message)], errors);
    }

    [Fact]
    public void Compile_NullExpression_ReportsItAndKeepsCheckingTheRest()
    {
        var errors = new List<(string Field, string Message)>();

        // A YAML item written as "- " alone reads as null.
        CompiledSelector.Compile(Expressions(null!, Requirement("env", "Exists", "x")), "spec.match.namespaceSelector", errors);

        Assert.Equal(
            [
                ("spec.match.namespaceSelector.matchExpressions[0]", "is empty: a requirement needs key and operator"),
                ("spec.match.namespaceSelector.matchExpressions[1].values", "must be empty for Exists"),
            ],
            errors);
    }
}
