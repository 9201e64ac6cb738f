using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AdmissionGuard.Tests.Registry;

internal static class TestTools
{
    public static readonly string[] RequiredTools = ["docker-registry", "skopeo", "umoci", "htpasswd"];

    /// <summary>Fails (never skips) when a tool is missing: tests/setup/registry.sh installs them.</summary>
    public static void RequireTools()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var missing = RequiredTools
            .Where(tool => !path.Split(':').Any(dir => File.Exists(Path.Combine(dir, tool))))
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"registry tests need {string.Join(", ", missing)} on PATH; run `bash tests/setup/registry.sh` (apt-get install docker-registry skopeo umoci apache2-utils)");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; generous because the machine is shared.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
