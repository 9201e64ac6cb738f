using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>Reads manifest files, directories (recursively, *.yaml, *.yml, *.json) or stdin into a <see cref="ManifestSet"/>.</summary>
internal static class ManifestFiles
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    public static void Read(string path, ManifestSet set, TextReader stdin)
    {
        if (path == "-")
        {
            set.AddText(stdin.ReadToEnd(), "<stdin>");
            return;
        }

        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                         .Where(IsManifest)
                         .Order(StringComparer.Ordinal))
            {
                ReadFile(file, set);
            }

            return;
        }

        if (File.Exists(path))
        {
            ReadFile(path, set);
            return;
        }

        set.Errors.Add($"{path}: no such file or directory");
    }

    public static bool IsManifest(string file) =>
        file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static void ReadFile(string file, ManifestSet set)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                set.Errors.Add($"{file}: larger than {MaxFileBytes / (1024 * 1024)} MiB");
                return;
            }

            set.AddText(File.ReadAllText(file), file);
        }
        catch (IOException e)
        {
            set.Errors.Add($"{file}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            set.Errors.Add($"{file}: {e.Message}");
        }
    }
}
