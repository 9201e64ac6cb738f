using AdmissionGuard.Policies;

namespace AdmissionGuard.Tests.Policies;

/// <summary>Durations such as <c>maxAge</c> in the Kubernetes/Go format (<c>168h</c>, <c>30m</c>, <c>300ms</c>), as Go's <c>time.ParseDuration</c> reads them.</summary>
public class GoDurationTests
{
    [Theory]
    [InlineData("168h", 7 * 24 * 3600 * 1000L)]
    [InlineData("30m", 30 * 60 * 1000L)]
    [InlineData("90s", 90 * 1000L)]
    [InlineData("300ms", 300L)]
    [InlineData("1h30m", 90 * 60 * 1000L)]
    [InlineData("1.5h", 90 * 60 * 1000L)]
    [InlineData("2h45m30s", (2 * 3600 + 45 * 60 + 30) * 1000L)]
    [InlineData("0.5s", 500L)]
    [InlineData("0s", 0L)]
    [InlineData("0", 0L)]
    [InlineData("1h0m", 3600 * 1000L)]
    public void TryParse_GoDuration_IsThatLong(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("250us", 2500L)]
    [InlineData("250µs", 2500L)]
    [InlineData("1500ns", 15L)]
    [InlineData("100ns", 1L)]
    [InlineData("1ms500us", 15000L)]
    public void TryParse_SubMillisecondUnits_AreThoseTicks(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromTicks(ticks), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("7d")]
    [InlineData("1w")]
    [InlineData("1")]
    [InlineData("10")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("+1h")]
    [InlineData("1H")]
    [InlineData("1h m")]
    [InlineData("1h 30m")]
    [InlineData(".h")]
    [InlineData("1..5h")]
    [InlineData("1hr")]
    [InlineData("1h30")]
    [InlineData("256204779h")]
    public void TryParse_NotAGoDuration_IsRejected(string? text)
    {
        Assert.False(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.Zero, duration);
    }

    [Fact]
    public void TryParse_JustBelowTimeSpanMax_IsAccepted()
    {
        // TimeSpan.MaxValue is 10675199 days 2:48:05.477, a little over 256204778 hours.
        Assert.True(GoDuration.TryParse("256204778h", out var duration));
        Assert.Equal(TimeSpan.FromHours(256204778), duration);
    }
}
