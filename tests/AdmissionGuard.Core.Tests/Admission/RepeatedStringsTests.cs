using System.Text;
using AdmissionGuard.Admission;

namespace AdmissionGuard.Tests.Admission;

public sealed class RepeatedStringsTests
{
    [Fact]
    public void AsciiValue_ReadTwice_IsOneString()
    {
        var bytes = "registry.example.com/team/web:1.2"u8.ToArray();
        var first = RepeatedStrings.Decode(bytes);
        var second = RepeatedStrings.Decode(bytes.ToArray());
        Assert.Equal("registry.example.com/team/web:1.2", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void NonAsciiValue_IsDecodedEachTime()
    {
        var bytes = Encoding.UTF8.GetBytes("caf\u00e9-\U0001F600");
        var first = RepeatedStrings.Decode(bytes);
        var second = RepeatedStrings.Decode(bytes);
        Assert.Equal("caf\u00e9-\U0001F600", first);
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void LongValue_IsDecodedEachTime()
    {
        var text = new string('a', 257);
        var bytes = Encoding.ASCII.GetBytes(text);
        var first = RepeatedStrings.Decode(bytes);
        Assert.Equal(text, first);
        Assert.NotSame(first, RepeatedStrings.Decode(bytes));
        var longest = Encoding.ASCII.GetBytes(new string('b', 256));
        Assert.Same(RepeatedStrings.Decode(longest), RepeatedStrings.Decode(longest));
    }

    [Fact]
    public void InvalidUtf8_Throws_AsTheStrictDecoderDoes()
    {
        Assert.ThrowsAny<ArgumentException>(() => RepeatedStrings.Decode([0x61, 0xC3]));
        Assert.ThrowsAny<ArgumentException>(() => RepeatedStrings.Decode([0xFF, 0x61, 0x62]));
    }

    [Fact]
    public void ManyValues_SharingSlots_EachGivesItsOwnText()
    {
        // Far more values than slots, each read twice: a slot found holding another value must not be taken for it.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var text = $"team-{i}/app:{i % 7}";
                Assert.Equal(text, RepeatedStrings.Decode(Encoding.ASCII.GetBytes(text)));
            }
        }

        // Same length, same slot or not: never the other's string.
        Assert.Equal("ab", RepeatedStrings.Decode("ab"u8));
        Assert.Equal("ba", RepeatedStrings.Decode("ba"u8));
    }
}
