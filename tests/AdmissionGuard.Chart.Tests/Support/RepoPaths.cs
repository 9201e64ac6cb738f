namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>Locates files relative to the repository root, found by walking up to AdmissionGuard.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ChartCrds => Path.Combine(Root, "charts", "admission-guard", "crds");

    public static string ManifestCrds => Path.Combine(Root, "manifests", "crds");

    public static string Renders => Path.Combine(Root, "artifacts", "helm");

    public static string Examples => Path.Combine(AppContext.BaseDirectory, "examples");

    /// <summary>A helm render written by tests/setup/helm.sh; missing is a failure, never a skip.</summary>
    public static string ReadRender(string name)
    {
        var path = name == "install"
            ? Path.Combine(Root, "manifests", "install.yaml")
            : Path.Combine(Renders, name + ".yaml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: run tests/setup/helm.sh to render the chart first", path);
        }

        return File.ReadAllText(path);
    }

    /// <summary>The NOTES.txt helm prints after an install of this configuration (tests/setup/helm.sh).</summary>
    public static string ReadNotes(string name)
    {
        var path = Path.Combine(Renders, name + ".notes.txt");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: run tests/setup/helm.sh to render the chart first", path);
        }

        return File.ReadAllText(path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AdmissionGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("AdmissionGuard.sln not found above " + AppContext.BaseDirectory);
    }
}
