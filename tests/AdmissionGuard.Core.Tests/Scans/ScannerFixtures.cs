namespace AdmissionGuard.Tests.Scans;

/// <summary>The real scanner outputs in tests/fixtures/scanners (provenance in its README.md), found from the repository root.</summary>
internal static class ScannerFixtures
{
    public static string PathOf(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AdmissionGuard.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var path = Path.GetFullPath(Path.Combine(directory.FullName, "tests", "fixtures", "scanners", relative));
        Assert.True(File.Exists(path), "missing fixture " + path);
        return path;
    }
}
