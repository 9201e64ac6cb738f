using AdmissionGuard.Scans;
using static AdmissionGuard.Tests.Scans.ScanIndexTests;

namespace AdmissionGuard.Tests.Scans;

// An ImageScan that fails validation must never count at admission (a scan that counts wrongly changes a
// grade); every case is built from one valid object with one field broken, and the error names that field.
public class ImageScanValidatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static ImageScan Valid() => Scan("docker.io/library/nginx:1.25", Digest(1), T0, critical: 2, high: 3);

    private static string? ErrorOf(ImageScan scan)
    {
        var result = ScanIndex.Build([scan], GradeScale.Default);
        if (result.Errors.Count == 0)
        {
            Assert.Equal(1, result.Index.Count);
            return null;
        }

        Assert.Equal(0, result.Index.Count);
        return Assert.Single(result.Errors).Message;
    }

    [Fact]
    public void Validate_ValidScan_IsAccepted() => Assert.Null(ErrorOf(Valid()));

    [Fact]
    public void Validate_ApiVersionAndKindAbsent_AreAccepted()
    {
        // A scan read from a file may omit them; only a wrong value is an error.
        var scan = Valid();
        scan.ApiVersion = null;
        scan.Kind = null;
        Assert.Null(ErrorOf(scan));
    }

    [Theory]
    [InlineData("admissionguard.io/v1", "apiVersion:")]
    [InlineData("v1", "apiVersion:")]
    public void Validate_WrongApiVersion_IsRejected(string apiVersion, string field)
    {
        var scan = Valid();
        scan.ApiVersion = apiVersion;
        Assert.StartsWith(field, ErrorOf(scan), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongKind_IsRejected()
    {
        var scan = Valid();
        scan.Kind = "VulnerabilityReport";
        Assert.StartsWith("kind:", ErrorOf(scan), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nginx:1.25", "spec.image: not a valid image reference")]
    [InlineData("docker.io/library/nginx", null)]
    [InlineData("registry.example.com:5000/team/app:1.0", null)]
    [InlineData("docker.io/nginx:1.25", "spec.image: must be the normalized reference \"docker.io/library/nginx:1.25\"")]
    public void Validate_Image_MustBeANormalizedReference(string image, string? expected)
    {
        var scan = Valid();
        scan.Spec!.Image = image;
        Assert.Equal(expected, ErrorOf(scan));
    }

    [Fact]
    public void Validate_NullImage_IsRequired()
    {
        var scan = Valid();
        scan.Spec!.Image = null;
        Assert.Equal("spec.image: required", ErrorOf(scan));
    }

    [Fact]
    public void Validate_EmptyDigest_IsRequired()
    {
        var scan = Valid();
        scan.Spec!.Digest = "";
        Assert.Equal("spec.digest: required", ErrorOf(scan));
    }

    [Fact]
    public void Validate_Sha512Digest_IsAccepted()
    {
        var scan = Valid();
        scan.Spec!.Digest = "sha512:" + new string('e', 128);
        Assert.Null(ErrorOf(scan));
    }

    [Fact]
    public void Validate_MissingVulnerabilities_IsRequired()
    {
        var scan = Valid();
        scan.Spec!.Vulnerabilities = null;
        Assert.Equal("spec.vulnerabilities: required", ErrorOf(scan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validate_AnyNegativeCount_IsRejected(int which)
    {
        var scan = Valid();
        var counts = scan.Spec!.Vulnerabilities!;
        switch (which)
        {
            case 0: counts.Critical = -1; break;
            case 1: counts.High = -1; break;
            case 2: counts.Medium = -1; break;
            case 3: counts.Low = -1; break;
            default: counts.Unknown = -1; break;
        }

        Assert.StartsWith("spec.vulnerabilities:", ErrorOf(scan), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroCounts_AreAccepted()
    {
        var scan = Scan("docker.io/library/nginx:1.25", Digest(1), T0);
        Assert.Null(ErrorOf(scan));
    }

    [Theory]
    [InlineData(-1, 0, "spec.fixable:")]
    [InlineData(0, -1, "spec.fixable:")]
    [InlineData(3, 0, "spec.fixable.critical:")]
    [InlineData(0, 4, "spec.fixable.high:")]
    public void Validate_FixableNegativeOrAboveTotal_IsRejected(int fixableCritical, int fixableHigh, string field)
    {
        var scan = Valid(); // critical 2, high 3
        scan.Spec!.Fixable = new FixableCounts { Critical = fixableCritical, High = fixableHigh };
        Assert.StartsWith(field, ErrorOf(scan), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FixableEqualToTotal_IsAccepted()
    {
        var scan = Valid(); // critical 2, high 3
        scan.Spec!.Fixable = new FixableCounts { Critical = 2, High = 3 };
        Assert.Null(ErrorOf(scan));
    }

    [Fact]
    public void Validate_NoFixable_IsAccepted()
    {
        var scan = Valid();
        scan.Spec!.Fixable = null;
        Assert.Null(ErrorOf(scan));
    }

    [Theory]
    [InlineData("C")]
    [InlineData("f")]
    public void Validate_ValidProvidedGrade_IsAccepted(string grade)
    {
        var scan = Valid();
        scan.Spec!.Grade = grade;
        Assert.Null(ErrorOf(scan));
    }
}
