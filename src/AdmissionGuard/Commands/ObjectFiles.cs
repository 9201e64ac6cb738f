using AdmissionGuard.Hosting;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Commands;

/// <summary>
/// The file each source and policy of a folder came from, by the object id a compile error names: the error alone
/// names an object, and the file is what a person opens to fix it. The first file that holds an id wins.
/// </summary>
internal sealed class ObjectFiles
{
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);

    public void Add(string file, IEnumerable<HardenedImageSource> sources, IEnumerable<ImagePolicy> policies)
    {
        foreach (var id in sources.Select(LastGoodCompiler.Id).Concat(policies.Select(LastGoodCompiler.Id)))
        {
            files.TryAdd(id, file);
        }
    }

    /// <summary>The error, after the file of its object when that is known.</summary>
    public string Describe(PolicyError error) => files.TryGetValue(error.ObjectId, out var file) ? $"{file}: {error}" : error.ToString();
}
