using System.Globalization;
using System.Text.RegularExpressions;
using AdmissionGuard.Tests.Registry;

namespace AdmissionGuard.Tests.Commands;

/// <summary>
/// The real executable hands what starting left on its heap back once it listens: a full collection shows in its own
/// runtime metrics before any admission request (a start with the example policies allocates too little to cause one).
/// </summary>
public sealed partial class ServeMemoryTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("ag-serve-memory-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public async Task Serve_OnceListening_CollectsTheWholeHeapWithoutAnyRequest()
    {
        var metricsPort = TestTools.FreePort();
        using var process = AdmissionGuardProcess.Start("serve", "--policies", Path.Combine(RepoPaths.Examples, "policies"),
            "--listen", "127.0.0.1:0", "--metrics-listen", $"127.0.0.1:{metricsPort}", "--ca-dir", Path.Combine(temp, "ca"));
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            var metrics = await AdmissionGuardProcess.PollMetricsAsync(process, metricsPort, text => Gen2(text) >= 1);

            Assert.False(process.HasExited, $"serve exited early: {(process.HasExited ? await stderr : "")}");
            Assert.True(metrics is not null && Gen2(metrics) >= 1, $"gen2 collections: {(metrics is null ? "no /metrics" : Gen2(metrics))}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>The child's count of gen2 collections, or -1 when its metrics have none yet.</summary>
    private static long Gen2(string metrics) =>
        Gen2Collections().Match(metrics) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex("""^dotnet_gc_collections_total\{[^}]*gc_heap_generation="gen2"[^}]*\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex Gen2Collections();
}
