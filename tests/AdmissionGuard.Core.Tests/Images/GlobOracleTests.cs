using System.Text;
using System.Text.RegularExpressions;
using AdmissionGuard.Images;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AdmissionGuard.Tests.Images;

/// <summary>
/// The glob matcher against a reference matcher written straight from API.md's glob rules as a .NET regular
/// expression: <c>*</c> is <c>[^/]*</c>, <c>**</c> is <c>.*</c>, and <c>/**/</c> is one slash or a slash, any
/// segments and a slash (so <c>a/**/b</c> matches <c>a/b</c>). The small alphabet makes matches and near misses
/// both common, and long star runs reach the general matcher rather than its literal and prefix shortcuts.
/// </summary>
public class GlobOracleTests
{
    private static readonly string[] PatternPieces = ["a", "b", "-", "/", "*", "**", "/**/", "a*", "*-", "rc"];
    private static readonly char[] TextChars = ['a', 'b', '-', '/', 'r', 'c'];

    [Property(MaxTest = 3000)]
    public Property IsMatch_RandomPatternAndText_AgreesWithRegexOracle()
    {
        var pattern = Gen.Elements(PatternPieces).ArrayOf().Select(pieces => string.Concat(pieces))
            .Where(p => !p.Contains("***", StringComparison.Ordinal));
        var text = Gen.Elements(TextChars).ArrayOf().Select(chars => new string(chars));
        var pairs = from p in pattern from t in text select (Pattern: p, Text: t);
        return Prop.ForAll(Arb.From(pairs), pair =>
        {
            var expected = Oracle(pair.Pattern).IsMatch(pair.Text);
            var actual = GlobMatcher.Compile(pair.Pattern).IsMatch(pair.Text);
            return (expected == actual).Label($"pattern \"{pair.Pattern}\" text \"{pair.Text}\": oracle {expected}, matcher {actual}");
        });
    }

    [Property(MaxTest = 1000)]
    public Property IsMatch_TextDerivedFromPattern_AgreesWithRegexOracle()
    {
        // Texts built from the pattern itself (stars replaced by short runs) are matches or one-character misses,
        // where an off-by-one or a lost "still open" flag shows.
        var pattern = Gen.Elements(PatternPieces).ArrayOf().Select(pieces => string.Concat(pieces))
            .Where(p => !p.Contains("***", StringComparison.Ordinal));
        var filler = Gen.Elements("", "a", "-", "/", "a/b", "rc", "-rc1").ArrayOf(8);
        var cases =
            from p in pattern
            from fills in filler
            from drop in Gen.Choose(-1, 3)
            select (Pattern: p, Text: Instantiate(p, fills, drop));
        return Prop.ForAll(Arb.From(cases), c =>
        {
            var expected = Oracle(c.Pattern).IsMatch(c.Text);
            var actual = GlobMatcher.Compile(c.Pattern).IsMatch(c.Text);
            return (expected == actual).Label($"pattern \"{c.Pattern}\" text \"{c.Text}\": oracle {expected}, matcher {actual}");
        });
    }

    [Property(MaxTest = 2000)]
    public Property IsMatch_OneStarBeforeAfterOrAroundALiteral_AgreesWithOracleAndGeneralMatcher()
    {
        // The shapes IsMatch answers without the general matcher ("x*", "*x", "*x*"), literals with and without "/".
        var literal = Gen.Elements("a", "-", "/", "a/", "/b", "-rc", "a/b", "rc").ArrayOf().Select(pieces => string.Concat(pieces))
            .Where(l => l.Length > 0);
        var shape = Gen.Elements("{0}*", "*{0}", "*{0}*");
        var text = Gen.Elements(TextChars).ArrayOf().Select(chars => new string(chars));
        var cases = from l in literal from f in shape from t in text select (Pattern: string.Format(System.Globalization.CultureInfo.InvariantCulture, f, l), Text: t);
        return Prop.ForAll(Arb.From(cases), c =>
        {
            var matcher = GlobMatcher.Compile(c.Pattern);
            var expected = Oracle(c.Pattern).IsMatch(c.Text);
            var actual = matcher.IsMatch(c.Text);
            var general = matcher.IsMatchInGeneral(c.Text);
            return (expected == actual && general == actual).Label($"pattern \"{c.Pattern}\" text \"{c.Text}\": oracle {expected}, matcher {actual}, general matcher {general}");
        });
    }

    [Theory]
    [InlineData("docker.io/library/*", "docker.io/library/nginx", true)]
    [InlineData("docker.io/library/*", "docker.io/library/", true)]
    [InlineData("docker.io/library/*", "docker.io/library/team/nginx", false)]
    [InlineData("docker.io/library/*", "docker.io/librar", false)]
    [InlineData("*-dev", "-dev", true)]
    [InlineData("*-dev", "team/1.0-dev", false)]
    [InlineData("*/b", "a/b", true)]
    [InlineData("*/b", "x/a/b", false)]
    [InlineData("*-rc*", "team/1.0-rc1", false)]
    [InlineData("*-rc*", "-rc", true)]
    [InlineData("*/a*", "x/ab", true)]
    [InlineData("*/a*", "x/y/ab", false)]
    [InlineData("*/a*", "x/a/b", false)]
    [InlineData("*-rc*", "1.0-rc1-rc2", true)]
    [InlineData("*-rc*", "1.0-rc1", true)]
    [InlineData("*-rc*", "rc1", false)]
    [InlineData("*-dev", "1.25-dev-dev", true)]
    [InlineData("*a*b*", "xaybz", true)]
    [InlineData("*a*b*", "xbya", false)]
    [InlineData("a/*/b", "a/x/b", true)]
    [InlineData("a/*/b", "a/x/y/b", false)]
    [InlineData("a*/b", "ab/b", true)]
    [InlineData("a*/b", "a/c/b", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/xb", false)]
    [InlineData("a/**/b/**/c", "a/b/c", true)]
    [InlineData("a/**/b/**/c", "a/x/b/y/z/c", true)]
    [InlineData("**/a/**", "x/y/a/z", true)]
    [InlineData("**/a/**", "a/z", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "a/b", false)]
    [InlineData("**b", "a/b", true)]
    public void IsMatch_HandPickedCase_AgreesWithOracleAndExpectation(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Oracle(pattern).IsMatch(text));
        Assert.Equal(expected, GlobMatcher.Compile(pattern).IsMatch(text));
    }

    [Theory]
    [InlineData("dhi.io/nginx:1.0-rc1-rc2", true)]
    [InlineData("dhi.io/nginx:1.0-rc1", true)]
    [InlineData("dhi.io/nginx:1.0", false)]
    [InlineData("dhi.io/nginx", false)]
    public void IsMatch_NotHardenedReleaseCandidateGlob_MatchesEveryRcTag(string image, bool expected)
    {
        // notHardened: ["**:*-rc*"] must keep matching a tag with two "-rc" runs, or a non-hardened build counts as hardened.
        Assert.True(ImageGlob.TryCompile("**:*-rc*", out var glob, out var error), error);
        Assert.Equal(expected, glob.IsMatch(TestImages.Parse(image)));
    }

    /// <summary>API.md's glob rules as a regular expression: independent of the matcher's token machine.</summary>
    internal static Regex Oracle(string pattern)
    {
        var regex = new StringBuilder(@"\A");
        var i = 0;
        while (i < pattern.Length)
        {
            if (string.CompareOrdinal(pattern, i, "/**/", 0, 4) == 0)
            {
                regex.Append("/(?:.*/)?");
                i += 4;
            }
            else if (string.CompareOrdinal(pattern, i, "**", 0, 2) == 0)
            {
                regex.Append(".*");
                i += 2;
            }
            else if (pattern[i] == '*')
            {
                regex.Append("[^/]*");
                i++;
            }
            else
            {
                regex.Append(Regex.Escape(pattern[i].ToString()));
                i++;
            }
        }

        return new Regex(regex.Append(@"\z").ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    private static string Instantiate(string pattern, string[] fills, int drop)
    {
        var text = new StringBuilder();
        var f = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '*')
            {
                text.Append(fills[f++ % fills.Length]);
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                }
            }
            else
            {
                text.Append(pattern[i]);
            }
        }

        if (drop >= 0 && drop < text.Length)
        {
            text.Remove(drop, 1);
        }

        return text.ToString();
    }
}
