namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard check</c>: the webhook's engine, offline, for CI pipelines.</summary>
internal static class CheckCommand
{
    public const int Allowed = 0;
    public const int Denied = 1;
    public const int BadInput = 2;

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider? time = null)
    {
        var line = CommandLine.Parse(args, ["-f", "--filename", "--policies", "--scans", "--output", "-o", "--grade-scale"], [], out var error);
        var inputs = line.Values("-f").Concat(line.Values("--filename")).ToList();
        var policies = line.Value("--policies");
        var output = line.Value("--output") ?? line.Value("-o") ?? "text";
        error ??= line.Positional.Count != 0 ? $"unexpected argument {line.Positional[0]}"
            : inputs.Count == 0 ? "-f PATH|- is required"
            : policies is null ? "--policies DIR is required"
            : output is not ("text" or "json" or "sarif" or "junit") ? $"--output {output} is not supported (text, json, sarif or junit)"
            : null;
        if (error is not null)
        {
            stderr.WriteLine($"admissionguard check: {error}");
            stderr.WriteLine("usage: admissionguard check -f PATH|- [-f ...] --policies DIR [--scans DIR] [--grade-scale FILE] [--output text|json|sarif|junit]");
            return BadInput;
        }

        var scale = ScanFactsLoader.LoadScale(line.Value("--grade-scale"), out var scaleError);
        if (scale is null)
        {
            stderr.WriteLine($"admissionguard check: {scaleError}");
            return BadInput;
        }

        var loaded = ManifestEvaluation.Load(inputs, policies!, line.Value("--scans"), scale, stdin, out var errors);
        if (loaded is not { } read)
        {
            foreach (var e in errors)
            {
                stderr.WriteLine($"admissionguard check: {e}");
            }

            return BadInput;
        }

        var results = ManifestEvaluation.Judge(read.Bundle, read.Workloads, time ?? TimeProvider.System);

        switch (output)
        {
            case "json":
                CheckReport.WriteJson(results, stdout);
                break;
            case "sarif":
                SarifReport.Write(results, stdout);
                break;
            case "junit":
                JUnitReport.Write(results, stdout);
                break;
            default:
                CheckReport.WriteText(results, stdout);
                break;
        }

        return results.Exists(r => !r.Verdict.Allowed) ? Denied : Allowed;
    }
}
