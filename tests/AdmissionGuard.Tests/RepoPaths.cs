using System.Reflection;

namespace AdmissionGuard.Tests;

/// <summary>Paths in the repository and the build output, found from the test assembly rather than the working directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "manifests", "examples");

    /// <summary>
    /// A copy of the example scans, each <c>scannedAt</c> set to a day before now. The examples carry a fixed date
    /// and the example policy a <c>maxAge</c>, so tests that judge them with the real clock would change verdict
    /// once that date is old enough; "scanned yesterday" is what the examples mean.
    /// </summary>
    public static string FreshExampleScans => FreshScans.Value;

    private static readonly Lazy<string> FreshScans = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("ag-example-scans-").FullName;
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var file in Directory.GetFiles(Path.Combine(Examples, "scans")))
        {
            var text = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(file), "scannedAt: \"[^\"]*\"", $"scannedAt: \"{yesterday}\"");
            File.WriteAllText(Path.Combine(directory, Path.GetFileName(file)), text);
        }

        return directory;
    });

    /// <summary>The configuration (Debug/Release) the test assembly was built in; the executable is built alongside.</summary>
    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string AdmissionGuardDll => Path.Combine(Root, "src", "AdmissionGuard", "bin", Configuration, "net10.0", "admissionguard.dll");

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "Webhooks", "TestData", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AdmissionGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no AdmissionGuard.sln above {AppContext.BaseDirectory}");
    }
}
