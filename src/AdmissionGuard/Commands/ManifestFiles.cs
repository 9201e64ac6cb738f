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
            foreach (var file in FilesIn(path))
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

    /// <summary>Each file of <paramref name="path"/> (a folder, a file or <c>-</c>) read into a set of its own, so errors can name the file.</summary>
    public static IEnumerable<(string File, ManifestSet Set)> ReadEach(string path, TextReader stdin)
    {
        foreach (var file in Directory.Exists(path) ? FilesIn(path) : (IEnumerable<string>)[path])
        {
            var set = new ManifestSet();
            Read(file, set, stdin);
            yield return (file == "-" ? StdinOrigin : file, set);
        }
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

    public static IOrderedEnumerable<string> FilesIn(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(IsManifest).Order(StringComparer.Ordinal);

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
