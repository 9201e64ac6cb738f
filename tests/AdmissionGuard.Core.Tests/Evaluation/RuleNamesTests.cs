using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>Rule ids as API.md names them (<c>spec.rules.&lt;id&gt;</c>), and the one-line description SARIF shows for each.</summary>
public class RuleNamesTests
{
    [Fact]
    public void PolicyRules_AreTheContractsRuleNames()
    {
        Assert.Equal("hardened", RuleNames.Hardened);
        Assert.Equal("registries", RuleNames.Registries);
        Assert.Equal("tags", RuleNames.Tags);
        Assert.Equal("scan", RuleNames.Scan);
        Assert.Equal("signatures", RuleNames.Signatures);
    }

    [Fact]
    public void NonPolicyRules_HaveTheirSarifIds()
    {
        Assert.Equal("reference", RuleNames.Reference);
        Assert.Equal("namespaceSelector", RuleNames.NamespaceSelector);
    }

    [Theory]
    [InlineData("hardened", "Image is not hardened")]
    [InlineData("registries", "Image is from a registry that is not allowed")]
    [InlineData("tags", "Image tag is disallowed, or the policy requires a digest")]
    [InlineData("scan", "Image scan is missing or below the policy's grade and limits")]
    [InlineData("signatures", "Image digest is not signed by a trusted key, or lacks a signed attestation")]
    [InlineData("reference", "Image reference cannot be parsed")]
    [InlineData("namespaceSelector", "Namespace labels are unknown, so the policy's namespaceSelector cannot be checked")]
    public void Describe_EveryRuleAViolationCanCarry_SaysWhatItChecks(string rule, string description) =>
        Assert.Equal(description, RuleNames.Describe(rule));

    [Theory]
    [InlineData("exception")]
    [InlineData("Hardened")]
    public void Describe_NameNotListed_IsTheNameItself(string rule) =>
        Assert.Equal(rule, RuleNames.Describe(rule));
}
