using AdmissionGuard.Caching;

namespace AdmissionGuard.Tests.Caching;

public sealed class RecentValuesTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(3)]
    [InlineData(4097)]
    public void SlotCount_NotAPowerOfTwo_IsRefused(int slots)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RecentValues<string>(slots));
        Assert.Equal("slotCount", e.ParamName);
        Assert.Contains("a power of two", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recall_NothingRemembered_IsNull() => Assert.Null(new RecentValues<string>(16).Recall(5));

    [Fact]
    public void Recall_GivesWhatWasRemembered_UnderAnyHashOfTheSameSlot()
    {
        var recent = new RecentValues<string>(16);
        recent.Remember(5, "five");
        Assert.Equal("five", recent.Recall(5));
        Assert.Equal("five", recent.Recall(5 + 16)); // same slot: the caller must check what it gets
        Assert.Equal("five", recent.Recall(-11));    // -11 & 15 == 5
        Assert.Null(recent.Recall(6));
    }

    [Fact]
    public void Remember_ReplacesOnlyItsOwnSlot()
    {
        var recent = new RecentValues<string>(16);
        recent.Remember(5, "five");
        recent.Remember(6, "six");
        recent.Remember(21, "twenty-one");
        Assert.Equal("twenty-one", recent.Recall(5));
        Assert.Equal("six", recent.Recall(6));
    }
}
