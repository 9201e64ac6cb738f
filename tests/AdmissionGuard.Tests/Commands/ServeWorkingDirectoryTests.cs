using AdmissionGuard.Tests.Registry;

namespace AdmissionGuard.Tests.Commands;

/// <summary>
/// serve reads no configuration files, so it does not watch the folder it is started in: the host's default would put
/// an inotify watch on every folder below it (for appsettings.json), which from a source checkout was about a tenth of
/// the start.
/// </summary>
public sealed class ServeWorkingDirectoryTests : IDisposable
{
    private const int Folders = 200;
    private readonly string temp = Directory.CreateTempSubdirectory("ag-serve-cwd-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public async Task Serve_StartedInAFolderWithManySubfolders_WatchesNoneOfThem()
    {
        var workingDirectory = Path.Combine(temp, "work");
        for (var i = 0; i < Folders; i++)
        {
            Directory.CreateDirectory(Path.Combine(workingDirectory, $"d{i / 20}", $"e{i}"));
        }

        var metricsPort = TestTools.FreePort();
        using var process = AdmissionGuardProcess.StartIn(workingDirectory, "serve", "--policies", Path.Combine(RepoPaths.Examples, "policies"),
            "--listen", "127.0.0.1:0", "--metrics-listen", $"127.0.0.1:{metricsPort}", "--ca-dir", Path.Combine(temp, "ca"));
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            // Listening means the host is built and started: its configuration watcher, if any, is in place by then.
            var metrics = await AdmissionGuardProcess.PollMetricsAsync(process, metricsPort, _ => true);

            Assert.False(process.HasExited, $"serve exited early: {(process.HasExited ? await stderr : "")}");
            Assert.True(metrics is not null, "serve did not listen within 60 s");
            // Each inotify watch is one "inotify wd:" line in the fdinfo of the inotify descriptor that holds it.
            var watches = Directory.GetFiles($"/proc/{process.Id}/fdinfo")
                .Sum(f => { try { return File.ReadLines(f).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)); } catch (IOException) { return 0; } });
            // The policy folder and the CA folder may be watched; the working directory's folders must not be.
            Assert.True(watches < Folders, $"{watches} inotify watches with {Folders} folders below the working directory");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }
}
