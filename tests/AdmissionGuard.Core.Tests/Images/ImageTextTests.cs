using AdmissionGuard.Images;

namespace AdmissionGuard.Tests.Images;

public class ImageTextTests
{
    [Theory]
    [InlineData("nginx", "\"nginx\"")]
    [InlineData("", "\"\"")]
    [InlineData("a \"b\" c", "\"a \\\"b\\\" c\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("a\nb\rc\td", "\"a\\nb\\rc\\td\"")]
    [InlineData(" ~", "\" ~\"")]                              // the ends of printable ASCII stay as they are
    [InlineData("\u001f\u007f", "\"\\u001F\\u007F\"")]        // just outside them are escaped
    [InlineData("\u00e9\u202e", "\"\\u00E9\\u202E\"")]
    public void Quote_EscapesEverythingButPrintableAscii(string value, string quoted)
    {
        Assert.Equal(quoted, ImageText.Quote(value));
    }

    [Fact]
    public void Quote_EightyCharacters_AreShownWhole()
    {
        var value = new string('a', 80);
        Assert.Equal("\"" + value + "\"", ImageText.Quote(value));
    }

    [Fact]
    public void Quote_LongerText_IsCutAtEightyAndSaysHowLong()
    {
        var value = new string('a', 79) + "bc";
        Assert.Equal("\"" + new string('a', 79) + "b\"... (81 characters)", ImageText.Quote(value));
    }

    [Theory]
    [InlineData("", -1)]
    [InlineData("docker.io/library/nginx:1.25", -1)]
    [InlineData("!~", -1)]
    [InlineData(" nginx", 0)]
    [InlineData("ng inx", 2)]
    [InlineData("nginx\u007f", 5)]
    [InlineData("nginx\u0080", 5)]
    [InlineData("a\u001fb c", 1)]
    public void IndexOfForbidden_IsTheFirstCharacterOutsidePrintableAscii(string value, int index)
    {
        Assert.Equal(index, ImageText.IndexOfForbidden(value));
    }

    [Theory]
    [InlineData("a\n", 1, "contains a line break (U+000A) at index 1")]
    [InlineData("a\r", 1, "contains a line break (U+000D) at index 1")]
    [InlineData("a b", 1, "contains whitespace (U+0020) at index 1")]
    [InlineData("\u2003", 0, "contains whitespace (U+2003) at index 0")]
    [InlineData("a\u0007", 1, "contains control character U+0007 at index 1")]
    [InlineData("a\u0085", 1, "contains whitespace (U+0085) at index 1")]
    [InlineData("\u200d", 0, "contains invisible character U+200D at index 0")]
    [InlineData("\u00e9", 0, "contains non-ASCII character U+00E9 at index 0; only ASCII is allowed")]
    [InlineData("x\U0001F600", 1, "contains non-ASCII character U+1F600 at index 1; only ASCII is allowed")]
    public void DescribeForbidden_NamesTheKindAndCodePoint(string value, int index, string description)
    {
        Assert.Equal(description, ImageText.DescribeForbidden(value, index));
    }

    [Fact]
    public void DescribeForbidden_LoneSurrogates_AreUnpaired()
    {
        // Built here, not in InlineData: test discovery would turn a lone surrogate into U+FFFD.
        const char high = '\uD83D';
        const char low = '\uDE00';
        Assert.Equal("contains an unpaired surrogate U+D83D at index 1", ImageText.DescribeForbidden("a" + high, 1));
        Assert.Equal("contains an unpaired surrogate U+D83D at index 0", ImageText.DescribeForbidden(high + "x", 0));
        Assert.Equal("contains an unpaired surrogate U+D83D at index 0", ImageText.DescribeForbidden(new string([high, high, low]), 0));
        Assert.Equal("contains an unpaired surrogate U+DE00 at index 1", ImageText.DescribeForbidden("a" + low + "b", 1));
        Assert.Equal("contains non-ASCII character U+1F600 at index 1; only ASCII is allowed", ImageText.DescribeForbidden(new string([high, high, low]), 1));
    }

    [Theory]
    [InlineData("registry.example.com:443", "registry.example.com")]
    [InlineData("a:443", "a")]
    [InlineData("[::1]:443", "[::1]")]
    [InlineData("[2001:db8::1]:443", "[2001:db8::1]")]
    [InlineData("registry.example.com:4443", "registry.example.com:4443")]
    [InlineData("registry.example.com:4430", "registry.example.com:4430")]
    [InlineData("registry.example.com", "registry.example.com")]
    [InlineData("[::443]", "[::443]")]
    [InlineData("[::1:443", "[::1:443")]     // a bracket never closed: no port to drop
    public void WithoutDefaultPort_DropsOnlyAnExplicit443(string registry, string expected)
    {
        Assert.Equal(expected, ImageText.WithoutDefaultPort(registry));
    }

    [Theory]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("registry.hub.docker.com", "docker.io")]
    [InlineData("docker.io", "docker.io")]
    [InlineData("hub.docker.com", "hub.docker.com")]
    [InlineData("index.docker.io.example.com", "index.docker.io.example.com")]
    [InlineData("dhi.io", "dhi.io")]
    public void NormalizeHost_MapsDockerHubAliases(string host, string expected)
    {
        Assert.Equal(expected, ImageText.NormalizeHost(host));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("localhost", false)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]", false)]
    [InlineData("[::1]:5000", true)]
    [InlineData("[::1]5000", false)]
    [InlineData("[::1", false)]
    [InlineData("[", false)]
    public void HasPort_IsAColonAfterTheHost(string registry, bool hasPort)
    {
        Assert.Equal(hasPort, ImageText.HasPort(registry));
    }

    [Theory]
    [InlineData('a', true, true)]
    [InlineData('z', true, true)]
    [InlineData('0', true, true)]
    [InlineData('9', true, true)]
    [InlineData('A', false, true)]
    [InlineData('Z', false, true)]
    [InlineData('_', false, true)]
    [InlineData('.', false, true)]
    [InlineData('-', false, true)]
    [InlineData(':', false, false)]
    [InlineData('/', false, false)]
    [InlineData('+', false, false)]
    [InlineData('@', false, false)]
    public void CharacterClasses_FollowTheGrammar(char c, bool lowerAlphaNumeric, bool tagCharacter)
    {
        Assert.Equal(lowerAlphaNumeric, ImageText.IsLowerAlphaNumeric(c));
        Assert.Equal(tagCharacter, ImageText.IsTagCharacter(c));
    }

    [Theory]
    [InlineData('x', "'x'")]
    [InlineData('\'', "\"'\"")]
    public void QuoteChar_QuotesOneCharacter(char c, string quoted) => Assert.Equal(quoted, ImageText.QuoteChar(c));
}
