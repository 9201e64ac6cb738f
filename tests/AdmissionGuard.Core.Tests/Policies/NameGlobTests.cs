using AdmissionGuard.Policies;

namespace AdmissionGuard.Tests.Policies;

/// <summary>Namespace and tag globs now run on the one glob engine: <c>*</c> is any run of characters in a name.</summary>
public class NameGlobTests
{
    [Theory]
    [InlineData("payments-*", "payments-eu", true)]
    [InlineData("payments-*", "payments-", true)]
    [InlineData("payments-*", "payment", false)]
    [InlineData("*", "", true)]
    [InlineData("kube-system", "kube-system", true)]
    [InlineData("kube-system", "kube-systems", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("*-rc*", "1.0-rc1", true)]
    [InlineData("*-rc*", "1.0", false)]
    [InlineData("***", "anything", true)]
    [InlineData("a**z", "abcz", true)]
    [InlineData("a**z", "abc", false)]
    [InlineData("**-rc", "1.0-rc", true)]
    [InlineData("**-rc", "1.0", false)]
    [InlineData("x**", "yx", false)]
    public void IsMatch_Pattern_MatchesAsWritten(string pattern, string name, bool expected) =>
        Assert.Equal(expected, new NameGlob(pattern).IsMatch(name));
}
