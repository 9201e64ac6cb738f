using System.Reflection;

namespace AdmissionGuard.Tests;

/// <summary>Paths in the repository and the build output, found from the test assembly rather than the working directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "manifests", "examples");

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
