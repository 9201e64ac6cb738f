using AdmissionGuard.Scans;

namespace AdmissionGuard.Commands;

internal static class ScanFactsLoader
{
    /// <summary>Reads <c>--grade-scale FILE</c>; null path = the documented default scale.</summary>
    public static GradeScale? LoadScale(string? path, out string? error)
    {
        error = null;
        if (path is null)
        {
            return GradeScale.Default;
        }

        try
        {
            if (GradeScaleFile.TryParse(File.ReadAllText(path), out var scale, out var reason))
            {
                return scale;
            }

            error = $"--grade-scale {path}: {reason}";
        }
        catch (IOException e)
        {
            error = $"--grade-scale {path}: {e.Message}";
        }

        return null;
    }

    public static IScanFacts Build(IEnumerable<ImageScan> scans, GradeScale scale, out List<string> errors)
    {
        var result = ScanIndex.Build(scans, scale);
        errors = [.. result.Errors.Select(e => e.ToString())];
        return result.Index;
    }
}
