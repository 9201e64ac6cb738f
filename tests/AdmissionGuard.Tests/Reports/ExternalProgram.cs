using System.Diagnostics;

namespace AdmissionGuard.Tests.Reports;

/// <summary>Runs a real program (chromium, promtool) to completion, bounded, and returns what it printed.</summary>
internal static class ExternalProgram
{
    public static void Require(string program)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));
        Assert.True(found, $"{program} is not on PATH; run `bash tests/setup/report-tools.sh`");
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish in time");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Headless Chromium with the flags that keep it off the network and away from Google's hosts.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> ChromiumAsync(string profile, params string[] arguments) =>
        RunAsync("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}",
            // Any host name fails to resolve: a page that tried to fetch anything could not get it.
            "--host-resolver-rules=MAP * ~NOTFOUND", .. arguments,
        ]);
}
