using AdmissionGuard.Scans;

namespace AdmissionGuard.Tests.Scans;

public class GradeScaleTests
{
    private static ImageScanSpec Spec(int critical = 0, int high = 0, int fixableCritical = 0, int fixableHigh = 0, bool eosl = false, string? grade = null, int medium = 0, int low = 0) => new()
    {
        Vulnerabilities = new SeverityCounts { Critical = critical, High = high, Medium = medium, Low = low },
        Fixable = new FixableCounts { Critical = fixableCritical, High = fixableHigh },
        Os = new OsInfo { Family = "debian", Name = "12", Eosl = eosl },
        Grade = grade,
    };

    [Fact]
    public void Compute_NoFindings_IsA() => Assert.Equal(Grade.A, GradeScale.Default.Compute(Spec()));

    [Fact]
    public void Compute_MediumAndLowOnly_IsA() => Assert.Equal(Grade.A, GradeScale.Default.Compute(Spec(medium: 50, low: 200)));

    [Fact]
    public void Compute_OneHigh_IsB() => Assert.Equal(Grade.B, GradeScale.Default.Compute(Spec(high: 1)));

    [Fact]
    public void Compute_ExactlyFiveHigh_IsB() => Assert.Equal(Grade.B, GradeScale.Default.Compute(Spec(high: 5)));

    [Fact]
    public void Compute_SixHigh_IsC() => Assert.Equal(Grade.C, GradeScale.Default.Compute(Spec(high: 6)));

    [Fact]
    public void Compute_OneFixableHigh_IsC() => Assert.Equal(Grade.C, GradeScale.Default.Compute(Spec(high: 1, fixableHigh: 1)));

    [Fact]
    public void Compute_UnfixableCritical_IsD() => Assert.Equal(Grade.D, GradeScale.Default.Compute(Spec(critical: 1, high: 9, fixableHigh: 9)));

    [Fact]
    public void Compute_FixableCritical_IsE() => Assert.Equal(Grade.E, GradeScale.Default.Compute(Spec(critical: 1, fixableCritical: 1)));

    [Fact]
    public void Compute_EndOfLifeOs_IsFEvenWithoutFindings() => Assert.Equal(Grade.F, GradeScale.Default.Compute(Spec(eosl: true)));

    [Fact]
    public void Compute_NoOsInfo_IsNotF() =>
        Assert.Equal(Grade.A, GradeScale.Default.Compute(new ImageScanSpec { Vulnerabilities = new SeverityCounts() }));

    [Theory]
    [InlineData("a", Grade.A)]
    [InlineData("B", Grade.B)]
    [InlineData(" f ", Grade.F)]
    public void Compute_ProvidedGrade_Wins(string provided, Grade expected) =>
        Assert.Equal(expected, GradeScale.Default.Compute(Spec(critical: 3, fixableCritical: 3, eosl: provided.Trim() != "f", grade: provided)));

    [Theory]
    [InlineData("G")]
    [InlineData("")]
    [InlineData("AB")]
    public void Compute_InvalidProvidedGrade_Throws(string provided)
    {
        var e = Assert.Throws<ArgumentException>(() => GradeScale.Default.Compute(Spec(grade: provided)));
        Assert.StartsWith("spec.grade:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeFromCounts_IgnoresProvidedGrade() =>
        Assert.Equal(Grade.D, GradeScale.Default.ComputeFromCounts(Spec(critical: 1, grade: "A")));

    [Fact]
    public void Compute_RaisedHighThreshold_SixHighIsB()
    {
        var lenient = GradeScale.Default with { HighForC = 10 };
        Assert.Equal(Grade.B, lenient.Compute(Spec(high: 6)));
        Assert.Equal(Grade.C, lenient.Compute(Spec(high: 11)));
    }

    [Fact]
    public void Compute_EoslSwitchedOff_GradesByCounts() =>
        Assert.Equal(Grade.B, (GradeScale.Default with { EoslIsF = false }).Compute(Spec(high: 2, eosl: true)));

    [Fact]
    public void Compute_FixableHighLineSwitchedOff_IsB() =>
        Assert.Equal(Grade.B, (GradeScale.Default with { FixableHighForC = int.MaxValue }).Compute(Spec(high: 2, fixableHigh: 2)));

    [Theory]
    [InlineData("e", true, Grade.E)]
    [InlineData("C", true, Grade.C)]
    [InlineData("x", false, Grade.A)]
    [InlineData(null, false, Grade.A)]
    public void TryParseGrade_Letters(string? text, bool ok, Grade expected)
    {
        Assert.Equal(ok, GradeScale.TryParseGrade(text, out var grade));
        Assert.Equal(expected, grade);
    }

    [Fact]
    public void Compute_NullSpec_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => GradeScale.Default.Compute(null!));
        Assert.Throws<ArgumentNullException>(() => GradeScale.Default.ComputeFromCounts(null!));
    }

    [Fact]
    public void Compute_NoCountsAtAll_IsA() => Assert.Equal(Grade.A, GradeScale.Default.ComputeFromCounts(new ImageScanSpec()));

    [Fact]
    public void ComputeFromCounts_FixableCountsAreRead()
    {
        // Fixable critical and fixable high each raise the grade from what the plain counts would give.
        Assert.Equal(Grade.E, GradeScale.Default.ComputeFromCounts(Spec(critical: 2, fixableCritical: 1)));
        Assert.Equal(Grade.C, GradeScale.Default.ComputeFromCounts(Spec(high: 2, fixableHigh: 1)));
        Assert.Equal(Grade.B, GradeScale.Default.ComputeFromCounts(new ImageScanSpec { Vulnerabilities = new SeverityCounts { High = 2 } }));
    }

    [Theory]
    [InlineData(2, 1, Grade.D)]
    [InlineData(2, 2, Grade.E)]
    [InlineData(2, 3, Grade.E)]
    public void Compute_FixableCriticalThreshold_IsAtLeast(int threshold, int fixableCritical, Grade expected) =>
        Assert.Equal(expected, (GradeScale.Default with { FixableCriticalForE = threshold }).Compute(false, 3, 0, fixableCritical, 0));

    [Theory]
    [InlineData(3, 2, Grade.A)]
    [InlineData(3, 3, Grade.D)]
    public void Compute_CriticalThreshold_IsAtLeast(int threshold, int critical, Grade expected) =>
        Assert.Equal(expected, (GradeScale.Default with { CriticalForD = threshold }).Compute(false, critical, 0, 0, 0));

    [Theory]
    [InlineData(2, 1, Grade.B)]
    [InlineData(2, 2, Grade.C)]
    public void Compute_FixableHighThreshold_IsAtLeast(int threshold, int fixableHigh, Grade expected) =>
        Assert.Equal(expected, (GradeScale.Default with { FixableHighForC = threshold }).Compute(false, 0, 3, 0, fixableHigh));

    [Theory]
    [InlineData(3, 2, Grade.A)]
    [InlineData(3, 3, Grade.B)]
    public void Compute_HighThreshold_IsAtLeast(int threshold, int high, Grade expected) =>
        Assert.Equal(expected, (GradeScale.Default with { HighForB = threshold }).Compute(false, 0, high, 0, 0));

    [Fact]
    public void Default_IsTheDocumentedScale() =>
        Assert.Equal(
            (true, 1, 1, 5, 1, 1),
            (GradeScale.Default.EoslIsF, GradeScale.Default.FixableCriticalForE, GradeScale.Default.CriticalForD, GradeScale.Default.HighForC, GradeScale.Default.FixableHighForC, GradeScale.Default.HighForB));

    [Theory]
    [InlineData("A", Grade.A)]
    [InlineData("d", Grade.D)]
    [InlineData("F", Grade.F)]
    [InlineData("\tb\n", Grade.B)]
    public void TryParseGrade_EveryLetter(string text, Grade expected)
    {
        Assert.True(GradeScale.TryParseGrade(text, out var grade));
        Assert.Equal(expected, grade);
    }

    [Theory]
    [InlineData("@")]
    [InlineData("G")]
    [InlineData("g")]
    [InlineData("`")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("A+")]
    public void TryParseGrade_NotALetterAToF_Fails(string text)
    {
        Assert.False(GradeScale.TryParseGrade(text, out var grade));
        Assert.Equal(Grade.A, grade);
    }

    [Fact]
    public void NewScale_IsTheDocumentedScale()
    {
        var scale = new GradeScale();
        Assert.Equal(GradeScale.Default, scale);
        Assert.True(scale.EoslIsF);
        Assert.Equal(Grade.F, scale.Compute(eosl: true, critical: 0, high: 0, fixableCritical: 0, fixableHigh: 0));
    }
}
