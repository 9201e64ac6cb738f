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
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(5) };
            var collections = -1L;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (collections < 1 && !deadline.IsCancellationRequested && !process.HasExited)
            {
                try
                {
                    var match = Gen2Collections().Match(await client.GetStringAsync("/metrics", deadline.Token));
                    collections = match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100, CancellationToken.None);
            }

            Assert.False(process.HasExited, $"serve exited early: {(process.HasExited ? await stderr : "")}");
            Assert.True(collections >= 1, $"gen2 collections: {collections}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    [GeneratedRegex("""^dotnet_gc_collections_total\{[^}]*gc_heap_generation="gen2"[^}]*\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex Gen2Collections();
}
