using System.Diagnostics;

namespace AdmissionGuard.Tests.Commands;

/// <summary>The real built <c>admissionguard.dll</c>, run with <c>dotnet</c> as a child process from the repository root.</summary>
internal static class AdmissionGuardProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    /// <summary>Runs <c>admissionguard args...</c> to its end (at most 2 minutes) and checks that no stack trace was shown.</summary>
    public static async Task<Result> RunAsync(string? stdin, params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var result = new Result(process.ExitCode, await stdout, await stderr);
        // Whatever the exit code, a user never sees a stack trace.
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stdout + result.Stderr, StringComparison.Ordinal);
        return result;
    }

    /// <summary>
    /// Starts <c>admissionguard args...</c> and leaves it running, with its own stdin, stdout and stderr: a child that
    /// shares the test host's stdin hangs the test run. The caller reads the outputs (or drops them) and stops it.
    /// </summary>
    public static Process Start(params string[] args) => StartIn(RepoPaths.Root, args);

    /// <summary>As <see cref="Start"/>, with <paramref name="workingDirectory"/> as the child's working directory.</summary>
    public static Process StartIn(string workingDirectory, params string[] args)
    {
        Assert.True(File.Exists(RepoPaths.AdmissionGuardDll), $"build the solution first: {RepoPaths.AdmissionGuardDll} is missing");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.AdmissionGuardDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    /// <summary>
    /// Reads a running child's plain-HTTP <c>/metrics</c> (its <c>--metrics-listen</c> port) every 100 ms until
    /// <paramref name="done"/> holds for the text, the child exits or a minute passes: the last text read, or null
    /// when it never answered.
    /// </summary>
    public static async Task<string?> PollMetricsAsync(Process process, int port, Func<string, bool> done)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? text = null;
        while (!deadline.IsCancellationRequested && !process.HasExited)
        {
            try
            {
                text = await client.GetStringAsync("/metrics", deadline.Token);
                if (done(text))
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return text;
    }
}
