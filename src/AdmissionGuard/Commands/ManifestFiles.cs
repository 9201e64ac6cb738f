using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>Reads manifest files, directories (recursively, *.yaml, *.yml, *.json) or stdin into a <see cref="ManifestSet"/>.</summary>
internal static class ManifestFiles
{
    /// <summary>How manifests read from <c>-f -</c> are named in messages and reports.</summary>
    public const string StdinOrigin = "<stdin>";

    private const long MaxFileBytes = 16 * 1024 * 1024;

    public static void Read(string path, ManifestSet set, TextReader stdin)
    {
        if (path == "-")
        {
            AddText(set, stdin.ReadToEnd(), StdinOrigin);
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

    /// <summary>
    /// <see cref="ManifestSet.AddText"/>, with YamlDotNet's InvalidOperationException on some malformed flow
    /// collections (e.g. an unclosed <c>{</c> followed by <c>[</c>) turned into an input error like any other bad YAML.
    /// </summary>
    public static void AddText(ManifestSet set, string text, string origin)
    {
        try
        {
            set.AddText(text, origin);
        }
        catch (InvalidOperationException e)
        {
            set.Errors.Add($"{origin}: invalid YAML: {e.Message}");
        }
    }

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

            AddText(set, File.ReadAllText(file), file);
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
