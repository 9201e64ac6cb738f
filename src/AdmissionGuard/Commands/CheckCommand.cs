using System.CommandLine;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard check</c>: the webhook's engine, offline, for CI pipelines.</summary>
internal static class CheckCommand
{
    public const int Allowed = Cli.Ok;
    public const int Denied = Cli.Denied;
    public const int BadInput = Cli.BadInput;

    private static readonly string[] Formats = ["text", "json", "sarif", "junit"];

    /// <summary>The <c>check</c> command reading <c>-f -</c> from <paramref name="stdin"/>, judging at <paramref name="time"/>.</summary>
    public static Command Create(TextReader stdin, TimeProvider? time = null)
    {
        var output = new Option<string>("--output", "-o") { HelpName = "FORMAT", Description = "text, json, sarif (code scanning) or junit (CI test reports).", DefaultValueFactory = _ => "text" };
        output.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !Formats.Contains(value))
            {
                r.AddError($"--output {value} is not supported (text, json, sarif or junit)");
            }
        });
        var command = new Command("check", "Judge manifests offline with the webhook's engine: exit 0 all allowed, 1 a denial, 2 bad input.")
        {
            new Option<string[]>("--filename", "-f") { HelpName = "PATH|-", Description = "Manifest file or folder (multi-document YAML, JSON, Lists, Helm output), or - for stdin; repeatable.", Required = true, Arity = ArgumentArity.OneOrMore },
            new Option<string>("--policies") { HelpName = "DIR", Description = "Folder of policy YAML (HardenedImageSource, ClusterImagePolicy, ImagePolicy, ImageScan, Namespace).", Required = true },
            new Option<string>("--scans") { HelpName = "DIR", Description = "Folder of ImageScan YAML." },
            output,
            new Option<string>("--namespace", "-n") { HelpName = "NS", Description = "Namespace of objects that name none.", DefaultValueFactory = _ => "default" },
            new Option<string>("--grade-scale") { HelpName = "FILE", Description = "YAML thresholds of the grade scale (default: the documented scale)." },
            new Option<bool>("--registry") { Description = "Ask registries, exactly as serve would, to verify twins and pin digests (default: no registry is asked)." },
            new Option<string>("--registry-timeout") { HelpName = "DURATION", Description = "With --registry: how long each lookup may take.", DefaultValueFactory = _ => "30s" },
            RegistryOptionsCli.InsecureRegistry(),
            RegistryOptionsCli.RegistryCa(),
            RegistryOptionsCli.DockerConfig(),
        };
        command.SetAction((result, cancellationToken) => RunAsync(result, stdin, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, time ?? TimeProvider.System, cancellationToken));
        return command;
    }

    /// <summary><paramref name="args"/> are the arguments after <c>check</c>.</summary>
    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider? time = null) =>
        RunAsync(args, stdin, stdout, stderr, time).GetAwaiter().GetResult();

    /// <summary><paramref name="args"/> are the arguments after <c>check</c>.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider? time = null) =>
        Cli.RunAsync(Create(stdin, time), args, stdout, stderr);

    private static async Task<int> RunAsync(ParseResult line, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        var scale = ScanFactsLoader.LoadScale(line.Value("--grade-scale"), out var scaleError);
        if (scale is null)
        {
            return Fail(stderr, scaleError!);
        }

        var askRegistry = line.GetValue<bool>("--registry");
        var timeoutText = line.Value("--registry-timeout")!;
        if (!Policies.GoDuration.TryParse(timeoutText, out var timeout) || timeout <= TimeSpan.Zero)
        {
            return Fail(stderr, $"--registry-timeout \"{timeoutText}\" is not a positive duration such as 30s");
        }

        if (!askRegistry && (line.Has("--docker-config") || line.Has("--registry-ca") || line.Has("--insecure-registry") || line.Has("--registry-timeout")))
        {
            return Fail(stderr, "--docker-config, --registry-ca, --insecure-registry and --registry-timeout only go with --registry");
        }

        var registryOptions = RegistryOptionsCli.From(line, new RegistryOptions { Budget = timeout, RequestTimeout = timeout }, out var registryError);
        if (registryOptions is null)
        {
            return Fail(stderr, registryError!);
        }

        var policies = line.Value("--policies")!;
        var loaded = ManifestEvaluation.Load(line.Values("--filename"), policies, line.Value("--scans"), scale, stdin, out var errors);
        if (loaded is { Bundle.Snapshot.PolicyCount: 0 })
        {
            errors.Add($"--policies {policies}: no ClusterImagePolicy or ImagePolicy found, so nothing would be checked");
        }

        if (errors.Count != 0)
        {
            foreach (var e in errors)
            {
                stderr.WriteLine($"admissionguard check: {e}");
            }

            return BadInput;
        }

        var (bundle, workloads) = loaded!.Value;
        var defaultNamespace = line.Value("--namespace")!;
        using var registry = askRegistry ? new RegistryCheck(registryOptions, timeout, time) : null;
        var offline = new PolicyEngine(bundle.Scans, OfflineRegistryFacts.Instance, time);
        // Offline, what the engine would decide knowing nothing tells which rewrites rest on assuming a twin exists.
        var knowing = new PolicyEngine(bundle.Scans, NoRegistryFacts.Instance, time);
        var results = new List<CheckResult>();
        foreach (var manifest in workloads.Workloads)
        {
            var ns = manifest.Object.Metadata?.Namespace ?? defaultNamespace;
            // As in a cluster, where the mutating webhook rewrites first: an image that will be replaced is judged
            // as its replacement, while messages still name the image as written.
            var input = new EvaluationInput(manifest.Kind, manifest.Object, ns, bundle.Manifests.LabelsOf(ns), JudgeRewritten: true);
            Verdict mutation, verdict;
            if (registry is not null)
            {
                (mutation, verdict) = await registry.EvaluateAsync(bundle, input, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                mutation = offline.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Mutate);
                verdict = OfflineRegistryFacts.Explain(offline.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Validate), knowing.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Validate));
            }

            results.Add(new CheckResult(manifest, ns, verdict, mutation.Rewrites));
        }

        switch (line.Value("--output"))
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

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"admissionguard check: {message}");
        return BadInput;
    }
}
