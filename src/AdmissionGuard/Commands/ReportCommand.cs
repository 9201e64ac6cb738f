using AdmissionGuard.Adoption;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Reports;

namespace AdmissionGuard.Commands;

/// <summary>
/// <c>admissionguard report</c>: the adoption picture (share of containers on hardened images, grades, images to fix
/// first with their twins, exceptions ending soon) from manifests offline or from a cluster's running Pods.
/// </summary>
internal static class ReportCommand
{
    public const int Written = 0;
    public const int BadInput = 2;

    private static readonly TimeSpan DefaultClusterTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(ReportOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var offline = options.Inputs.Count != 0;
        var error = options.Output is not ("html" or "json" or "markdown") ? $"--output {options.Output} is not supported (html, json or markdown)"
            : offline && options.Kubeconfig is not null ? "-f reads manifests and --kubeconfig reads a cluster: give one of them"
            : offline && options.Policies is null ? "-f needs --policies DIR"
            : !offline && (options.Policies is not null || options.Scans is not null) ? "--policies and --scans go with -f; a cluster report reads the cluster's policies and scans"
            : null;
        if (error is not null)
        {
            return Fail(stderr, error, usage: true);
        }

        var scale = ScanFactsLoader.LoadScale(options.GradeScale, out var scaleError);
        if (scale is null)
        {
            return Fail(stderr, scaleError!);
        }

        var time = options.Time ?? TimeProvider.System;
        AdoptionPicture picture;
        ReportContext context;
        if (offline)
        {
            var loaded = ManifestEvaluation.Load(options.Inputs, options.Policies!, options.Scans, scale, options.Stdin ?? Console.In, out var errors);
            if (loaded is not { } read)
            {
                foreach (var e in errors)
                {
                    stderr.WriteLine($"admissionguard report: {e}");
                }

                return BadInput;
            }

            var judged = ManifestEvaluation.Judge(read.Bundle, read.Workloads, time)
                .Select(r => new JudgedWorkload(r.Namespace, r.Manifest.Kind, r.Manifest.Object.Metadata?.Name ?? "<unnamed>", r.Manifest.Object, r.Verdict, r.Rewrites));
            picture = AdoptionAggregator.Aggregate(judged, read.Bundle.Snapshot, read.Bundle.Scans, time);
            context = new ReportContext("manifests", options.Inputs, read.Bundle.Snapshot.PolicyCount, read.Bundle.Scans.Count, []);
        }
        else
        {
            using var client = KubeClientFactory.TryCreate(options.Kubeconfig, out var clientError);
            if (client is null)
            {
                return Fail(stderr, clientError!);
            }

            var timeout = options.ClusterTimeout ?? DefaultClusterTimeout;
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                var (workloads, state, read) = await ClusterInventory.ReadAsync(new KubeApi(client), scale, time, deadline.Token).ConfigureAwait(false);
                picture = AdoptionAggregator.Aggregate(workloads, state.Snapshot, state.Scans, time);
                context = read;
            }
            catch (KubeApiException e)
            {
                return Fail(stderr, e.StatusCode switch
                {
                    401 => $"the API server refused the credentials: {e.Message}",
                    403 => $"not allowed: {e.Message} (report needs list on pods, namespaces and AdmissionGuard's kinds)",
                    404 => $"{e.Message} (are AdmissionGuard's CRDs installed?)",
                    _ => e.Message,
                });
            }
            catch (HttpRequestException e)
            {
                return Fail(stderr, $"cannot reach the API server {client.BaseUri}: {e.Message}");
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return Fail(stderr, $"the API server {client.BaseUri} did not answer within {timeout.TotalSeconds:0} s");
            }
            catch (System.Text.Json.JsonException e)
            {
                return Fail(stderr, $"the API server {client.BaseUri} sent something that is not JSON: {e.Message}");
            }

            foreach (var e in context.PolicyErrors)
            {
                stderr.WriteLine($"admissionguard report: warning: invalid and not enforced: {e}");
            }
        }

        try
        {
            if (options.OutputFile is null)
            {
                Write(options.Output, picture, context, stdout);
            }
            else
            {
                var full = Path.GetFullPath(options.OutputFile);
                var temporary = full + ".tmp";
                using (var file = new StreamWriter(temporary, false, new System.Text.UTF8Encoding(false)))
                {
                    Write(options.Output, picture, context, file);
                }

                File.Move(temporary, full, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"-o {options.OutputFile}: {e.Message}");
        }

        return Written;
    }

    private static void Write(string output, AdoptionPicture picture, ReportContext context, TextWriter writer)
    {
        switch (output)
        {
            case "json":
                ReportJson.Write(picture, context, writer);
                break;
            case "markdown":
                ReportMarkdown.Write(picture, context, writer);
                break;
            default:
                ReportHtml.Write(picture, context, writer);
                break;
        }
    }

    private static int Fail(TextWriter stderr, string message, bool usage = false)
    {
        stderr.WriteLine($"admissionguard report: {message}");
        if (usage)
        {
            // The options are described once, by the command line's own help.
            stderr.WriteLine("see 'admissionguard report --help'");
        }

        return BadInput;
    }
}
