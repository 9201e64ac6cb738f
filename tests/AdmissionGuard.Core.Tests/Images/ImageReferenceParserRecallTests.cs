using AdmissionGuard.Images;
using static AdmissionGuard.Tests.Images.TestImages;

namespace AdmissionGuard.Tests.Images;

/// <summary>The parser remembers what it parsed: the same text again is the same (immutable) reference, never another text's.</summary>
public sealed class ImageReferenceParserRecallTests
{
    [Fact]
    public void SameText_ParsedAgain_IsTheSameReference()
    {
        var first = Parse("registry.example.com/recall/web:1.2");
        var second = Parse(new string("registry.example.com/recall/web:1.2".AsSpan()));
        Assert.Same(first, second);
    }

    [Fact]
    public void ManyTexts_SharingSlots_EachParsesAsItself()
    {
        // Far more references than remembered slots, each parsed twice: a slot holding another text's reference must
        // never be the answer. Expected parts are built from the loop's numbers, not from the parser.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var reference = Parse($"Reg{i % 13}.example.com/team-{i}/app:v{i % 7}");
                Assert.Equal($"reg{i % 13}.example.com", reference.Registry);
                Assert.Equal($"team-{i}/app", reference.Path);
                Assert.Equal($"v{i % 7}", reference.Tag);
                Assert.Equal($"reg{i % 13}.example.com/team-{i}/app:v{i % 7}", reference.Normalized);
            }
        }
    }

    [Fact]
    public void InvalidText_IsRefusedEveryTime_WithItsOwnError()
    {
        Assert.False(ImageReferenceParser.TryParse("Recall/UPPER:1", out _, out var first));
        Assert.False(ImageReferenceParser.TryParse("Recall/UPPER:1", out var reference, out var second));
        Assert.Null(reference);
        Assert.Equal(first, second);
        Assert.Contains("Recall/UPPER", first, StringComparison.Ordinal);
    }

    [Fact]
    public void VeryLongText_IsParsedEachTime()
    {
        // 570 characters: a long host, path and tag and a sha512 digest, all within the grammar's limits.
        var image = new string('a', 63) + "." + new string('b', 40) + "/" + new string('p', 200) + ":" + new string('t', 128) + "@" + Sha512;
        var first = Parse(image);
        var second = Parse(image);
        Assert.Equal(first.Normalized, second.Normalized);
        Assert.NotSame(first, second);
    }
}
