using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Tests.Scans;

public class ScanIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    internal static string Digest(int n) => "sha256:" + n.ToString("x64");

    internal static ImageScan Scan(string image, string digest, DateTimeOffset at, int critical = 0, int high = 0, string? grade = null) => new()
    {
        ApiVersion = "admissionguard.io/v1alpha1",
        Kind = "ImageScan",
        Metadata = new ObjectMeta { Name = "sha256-" + digest[7..47] },
        Spec = new ImageScanSpec
        {
            Image = image,
            Digest = digest,
            ScannedAt = at,
            Vulnerabilities = new SeverityCounts { Critical = critical, High = high },
            Fixable = new FixableCounts(),
            Grade = grade,
        },
    };

    private static ScanIndex Build(params ImageScan[] scans)
    {
        var result = ScanIndex.Build(scans, GradeScale.Default);
        Assert.Empty(result.Errors);
        return result.Index;
    }

    private static ScanRecord? FindByReference(ScanIndex index, string reference, string? digest = null) => index.Find(reference, digest);

    [Fact]
    public void Find_ParsedShortReference_FindsScanOfNormalizedImage()
    {
        var index = Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 2));
        Assert.True(ImageReferenceParser.TryParse("nginx:1.25", out var reference, out _));

        Assert.Equal(2, index.Find(reference, null)!.High);
    }

    [Fact]
    public void Find_ParsedReferenceWithDigest_UsesOnlyTheWrittenDigest()
    {
        var index = Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0));
        Assert.True(ImageReferenceParser.TryParse("nginx:1.25@" + Digest(2), out var pinnedElsewhere, out _));
        Assert.True(ImageReferenceParser.TryParse("mirror.example.com/nginx@" + Digest(1), out var mirror, out _));

        Assert.Null(index.Find(pinnedElsewhere, null));
        Assert.Equal(Digest(1), index.Find(mirror, null)!.Digest);
    }

    [Fact]
    public void Find_DigestKnown_IgnoresRepository()
    {
        var index = Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 2));
        var found = FindByReference(index, "registry.example.com/mirror/nginx:prod", Digest(1));
        Assert.NotNull(found);
        Assert.Equal("docker.io/library/nginx:1.25", found.Image);
        Assert.Equal(Grade.B, found.Grade);
    }

    [Fact]
    public void Find_DigestKnownButNotScanned_IsNullEvenWhenTagHasScan()
    {
        var index = Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0));
        Assert.NotNull(FindByReference(index, "docker.io/library/nginx:1.25"));
        Assert.Null(FindByReference(index, "docker.io/library/nginx:1.25", Digest(2)));
    }

    [Fact]
    public void Find_ByReference_NewestScanWins()
    {
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0.AddDays(2), critical: 1),
            Scan("docker.io/library/nginx:1.25", Digest(2), T0.AddDays(5)),
            Scan("docker.io/library/nginx:1.25", Digest(3), T0.AddDays(1), high: 1));
        Assert.Equal(Digest(2), FindByReference(index, "docker.io/library/nginx:1.25")!.Digest);
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public void Find_SameDigestScannedTwice_NewestWins()
    {
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0.AddDays(3), critical: 1),
            Scan("docker.io/library/nginx:1.25", Digest(1), T0.AddDays(1)));
        var found = FindByReference(index, "x", Digest(1))!;
        Assert.Equal(T0.AddDays(3), found.ScannedAt);
        Assert.Equal(Grade.D, found.Grade);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Find_UnknownReference_IsNull() =>
        Assert.Null(FindByReference(Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0)), "docker.io/library/nginx:1.26"));

    [Fact]
    public void Build_ProvidedGrade_IsKept() =>
        Assert.Equal(Grade.A, FindByReference(Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 4, grade: "a")), "docker.io/library/nginx:1.25")!.Grade);

    [Fact]
    public void Build_ChangedScale_ChangesGrade()
    {
        var strict = GradeScale.Default with { HighForB = int.MaxValue, HighForC = 0 };
        var index = ScanIndex.Build([Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 1)], strict).Index;
        Assert.Equal(Grade.C, index.Find("docker.io/library/nginx:1.25", null)!.Grade);
    }

    [Theory]
    [InlineData("sha256:ABC", "spec.digest: must be sha256:<64 hex> or sha512:<128 hex>, lowercase")]
    [InlineData("md5:0123", "spec.digest: must be sha256:<64 hex> or sha512:<128 hex>, lowercase")]
    [InlineData(null, "spec.digest: required")]
    public void Build_InvalidDigest_ReportedWithFieldPath(string? digest, string expected)
    {
        var bad = Scan("docker.io/library/nginx:1.25", Digest(1), T0);
        bad.Metadata!.Name = "bad-one";
        bad.Spec!.Digest = digest;
        var result = ScanIndex.Build([bad, Scan("docker.io/library/redis:7", Digest(2), T0)], GradeScale.Default);
        var error = Assert.Single(result.Errors);
        Assert.Equal("bad-one", error.ObjectName);
        Assert.Equal(expected, error.Message);
        Assert.Equal(1, result.Index.Count);
        Assert.NotNull(result.Index.Find("docker.io/library/redis:7", null));
    }

    [Fact]
    public void Build_UppercaseDigest_IsRejected()
    {
        var bad = Scan("docker.io/library/nginx:1.25", "sha256:" + new string('A', 64), T0);
        Assert.StartsWith("spec.digest:", Assert.Single(ScanIndex.Build([bad], GradeScale.Default).Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nginx:1.25", "spec.image: must be the normalized reference \"docker.io/library/nginx:1.25\"")]
    [InlineData("docker.io/library/nginx@sha256:0000000000000000000000000000000000000000000000000000000000000001", "spec.image: must not contain a digest; put it in spec.digest")]
    [InlineData("", "spec.image: required")]
    public void Build_InvalidImage_ReportedWithFieldPath(string image, string expected)
    {
        var result = ScanIndex.Build([Scan(image, Digest(1), T0)], GradeScale.Default);
        Assert.Equal(expected, Assert.Single(result.Errors).Message);
        Assert.Equal(0, result.Index.Count);
    }

    [Fact]
    public void Build_InvalidGrade_ReportedNotIgnored()
    {
        var result = ScanIndex.Build([Scan("docker.io/library/nginx:1.25", Digest(1), T0, grade: "Z")], GradeScale.Default);
        Assert.Equal("spec.grade: must be one of A, B, C, D, E, F", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Build_MissingScannedAtAndSpec_Reported()
    {
        var noTime = Scan("docker.io/library/nginx:1.25", Digest(1), T0);
        noTime.Spec!.ScannedAt = null;
        var noSpec = new ImageScan { Metadata = new ObjectMeta { Name = "empty" } };
        var errors = ScanIndex.Build([noTime, noSpec], GradeScale.Default).Errors;
        Assert.Equal(["spec.scannedAt: required", "spec: required"], errors.Select(e => e.Message));
        Assert.Equal("ImageScan/empty: spec: required", errors[1].ToString());
    }

    [Fact]
    public void Build_FixableMoreThanTotal_Reported()
    {
        var scan = Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 1);
        scan.Spec!.Fixable!.High = 2;
        Assert.Equal("spec.fixable.high: must not exceed spec.vulnerabilities.high", Assert.Single(ScanIndex.Build([scan], GradeScale.Default).Errors).Message);
    }

    [Fact]
    public void Empty_FindsNothing()
    {
        Assert.Equal(0, ScanIndex.Empty.Count);
        Assert.Null(ScanIndex.Empty.Find("docker.io/library/nginx:1.25", null));
        Assert.Null(ScanIndex.Empty.Find("docker.io/library/nginx:1.25", Digest(1)));
    }

    [Fact]
    public void Find_DoesNotAllocate()
    {
        var index = Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0));
        var digest = Digest(1);
        index.Find("docker.io/library/nginx:1.25", digest);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            index.Find("docker.io/library/nginx:1.25", digest);
            index.Find("docker.io/library/nginx:1.25", null);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Build_HundredThousandScans_IndexesEveryOneByDigestAndReference()
    {
        // The bytes each entry retains are measured by ScanCacheBenchmarks (RetainedB/scan column) in the benchmark
        // project: a process-wide heap figure taken while other test classes run says nothing reliable.
        const int count = 100_000;

        static IEnumerable<ImageScan> Scans()
        {
            for (var i = 0; i < count; i++)
            {
                // 20,000 images, each scanned five times (rebuilds): realistic sharing of image strings.
                yield return Scan($"registry.example.com/team-{i % 200}/service-{i % 20_000}:1.{i % 20_000}.0", Digest(i + 1), T0.AddMinutes(i));
            }
        }

        var index = ScanIndex.Build(Scans(), GradeScale.Default).Index;

        Assert.Equal(count, index.Count);
        Assert.Equal(Digest(77_778), index.Find("unused", Digest(77_778))?.Digest);
        // The newest of the five scans of service-7777 (i = 7777 + 4 * 20,000) answers for its reference.
        Assert.Equal(Digest(87_778), index.Find("registry.example.com/team-177/service-7777:1.7777.0", null)?.Digest);
    }

    [Fact]
    public void Find_ParsedReferenceWithKnownDigest_UsesOnlyThatDigestNotTheTag()
    {
        // The registry cache knows the digest of nginx:1.25; the tag's scan (of other content) must not count.
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 2),
            Scan("docker.io/library/redis:7", Digest(2), T0, critical: 1));
        Assert.True(ImageReferenceParser.TryParse("nginx:1.25", out var reference, out _));

        Assert.Null(index.Find(reference, Digest(3)));
        Assert.Equal(Digest(2), index.Find(reference, Digest(2))!.Digest);
    }

    [Fact]
    public void Find_ReferenceWithoutTag_IsLatest()
    {
        var index = Build(
            Scan("docker.io/library/nginx:latest", Digest(1), T0, high: 1),
            Scan("registry.example.com:5000/team/app", Digest(2), T0, critical: 1));
        Assert.True(ImageReferenceParser.TryParse("nginx", out var untagged, out _));
        Assert.True(ImageReferenceParser.TryParse("registry.example.com:5000/team/app:latest", out var tagged, out _));

        Assert.Equal(Digest(1), index.Find(untagged, null)!.Digest);
        Assert.Equal(Digest(1), FindByReference(index, "docker.io/library/nginx")!.Digest);
        Assert.Equal(Digest(2), index.Find(tagged, null)!.Digest);
        Assert.Equal(Digest(2), FindByReference(index, "registry.example.com:5000/team/app")!.Digest);
        Assert.Equal(Digest(2), FindByReference(index, "registry.example.com:5000/team/app:latest")!.Digest);
        Assert.Null(FindByReference(index, "registry.example.com:5000/team/app:1.0"));
    }

    [Fact]
    public void Find_NullReferenceWithoutDigest_IsNull() =>
        Assert.Null(Build(Scan("docker.io/library/nginx:1.25", Digest(1), T0)).Find((string)null!, null));

    [Fact]
    public void Build_SameScanTime_LaterObjectWins()
    {
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 1),
            Scan("docker.io/library/nginx:1.25", Digest(1), T0, high: 1),
            Scan("docker.io/library/nginx:1.25", Digest(2), T0));
        Assert.Equal(Grade.B, index.Find("x", Digest(1))!.Grade);
        Assert.Equal(Digest(2), FindByReference(index, "docker.io/library/nginx:1.25")!.Digest);
    }

    [Fact]
    public void Build_OlderScanLater_DoesNotReplaceNewer()
    {
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0.AddSeconds(1), high: 1),
            Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 1),
            Scan("docker.io/library/nginx:1.25", Digest(2), T0));
        Assert.Equal(Grade.B, index.Find("x", Digest(1))!.Grade);
        Assert.Equal(Digest(1), FindByReference(index, "docker.io/library/nginx:1.25")!.Digest);
    }

    [Fact]
    public void Build_Record_CarriesEveryCount()
    {
        var scan = Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 3, high: 7);
        scan.Spec!.Vulnerabilities!.Medium = 11;
        scan.Spec.Vulnerabilities.Low = 13;
        scan.Spec.Vulnerabilities.Unknown = 17;
        scan.Spec.Fixable = new FixableCounts { Critical = 2, High = 5 };
        var found = Build(scan).Find("x", Digest(1))!;
        Assert.Equal(
            ("docker.io/library/nginx:1.25", Digest(1), T0, Grade.E, 3, 7, 2, 5, 11, 13, 17),
            (found.Image, found.Digest, found.ScannedAt, found.Grade, found.Critical, found.High, found.FixableCritical, found.FixableHigh, found.Medium, found.Low, found.Unknown));
    }

    [Fact]
    public void Build_NoFixable_CountsNoneFixable()
    {
        var scan = Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 1);
        scan.Spec!.Fixable = null;
        var found = Build(scan).Find("x", Digest(1))!;
        Assert.Equal((0, 0, Grade.D), (found.FixableCritical, found.FixableHigh, found.Grade));
    }

    [Fact]
    public void Build_NullObjectsAndUnnamedInvalid_SkippedAndNumbered()
    {
        var unnamed = Scan("docker.io/library/nginx:1.25", Digest(1), T0);
        unnamed.Metadata = null;
        unnamed.Spec!.ScannedAt = null;
        var result = ScanIndex.Build([Scan("docker.io/library/redis:7", Digest(2), T0), null!, unnamed], GradeScale.Default);
        var error = Assert.Single(result.Errors);
        Assert.Equal("#3", error.ObjectName);
        Assert.Equal(1, result.Index.Count);
    }

    [Fact]
    public void Build_OnlyInvalid_FindsNothing()
    {
        var result = ScanIndex.Build([Scan("nginx:1.25", Digest(1), T0)], GradeScale.Default);
        Assert.Null(result.Index.Find("docker.io/library/nginx:1.25", null));
        Assert.Null(result.Index.Find("nginx:1.25", null));
        Assert.Null(result.Index.Find("x", Digest(1)));
    }

    [Fact]
    public void Build_ManyScansOfOneImage_EachDigestAndTheNewestReference()
    {
        var index = Build(
            Scan("docker.io/library/nginx:1.25", Digest(1), T0),
            Scan("docker.io/library/nginx:1.25", Digest(2), T0.AddHours(1), high: 1),
            Scan("docker.io/library/nginx:1.26", Digest(3), T0.AddHours(2), critical: 1));
        Assert.Equal(3, index.Count);
        Assert.Equal(Grade.A, index.Find("x", Digest(1))!.Grade);
        Assert.Equal(Grade.B, FindByReference(index, "docker.io/library/nginx:1.25")!.Grade);
        Assert.Equal(Grade.D, FindByReference(index, "docker.io/library/nginx:1.26")!.Grade);
        Assert.Equal("docker.io/library/nginx:1.25", index.Find("x", Digest(1))!.Image);
    }

    [Fact]
    public void Build_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ScanIndex.Build(null!, GradeScale.Default));
        Assert.Throws<ArgumentNullException>(() => ScanIndex.Build([], null!));
        Assert.Throws<ArgumentNullException>(() => ScanIndex.Empty.Find((ImageReference)null!, null));
    }

    [Fact]
    public void Build_EqualImageStrings_ShareOneInstance()
    {
        // Many scans name the same image (every rebuild); the index keeps one string for all of them.
        var first = Scan(new string("docker.io/library/nginx:1.25".AsSpan()), Digest(1), T0);
        var second = Scan(new string("docker.io/library/nginx:1.25".AsSpan()), Digest(2), T0);
        Assert.False(ReferenceEquals(first.Spec!.Image, second.Spec!.Image));
        var index = Build(first, second);
        Assert.Same(index.Find("x", Digest(1))!.Image, index.Find("x", Digest(2))!.Image);
    }
}
