using System.Diagnostics;

namespace AdmissionGuard.Tests.Registry;

/// <summary>One running <c>docker-registry serve</c> on a loopback port; stopped by its process id.</summary>
public sealed class RegistryProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private RegistryProcess(Process process, int port, bool tls)
    {
        _process = process;
        Port = port;
        Tls = tls;
    }

    public int Port { get; }

    public bool Tls { get; }

    /// <summary><c>127.0.0.1:port</c>: the registry part of a normalized reference.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public bool IsRunning => !_process.HasExited;

    internal static async Task<RegistryProcess> StartAsync(string directory, string name, string storage, TestCertificates? tls, string? htpasswd)
    {
        var port = TestTools.FreePort();
        var config = Path.Combine(directory, name + ".yml");
        var lines = new List<string>
        {
            "version: 0.1",
            "log: {level: error, accesslog: {disabled: true}}",
            $"storage: {{filesystem: {{rootdirectory: {storage}}}, delete: {{enabled: true}}}}",
            tls is null
                ? $"http: {{addr: 127.0.0.1:{port}}}"
                : $"http: {{addr: 127.0.0.1:{port}, tls: {{certificate: {tls.CertificateFile}, key: {tls.KeyFile}}}}}",
        };
        if (htpasswd is not null)
        {
            lines.Add($"auth: {{htpasswd: {{realm: admissionguard-test, path: {htpasswd}}}}}");
        }

        await File.WriteAllLinesAsync(config, lines);
        var start = new ProcessStartInfo("docker-registry")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-registry");
        var registry = new RegistryProcess(process, port, tls is not null);
        // Drain both pipes: a full pipe would block the registry.
        process.OutputDataReceived += (_, e) => registry.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => registry.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await registry.WaitReadyAsync();
        return registry;
    }

    public void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 50)
        {
            _log.TryDequeue(out _);
        }
    }

    // Listening on the port is readiness enough: the registry binds only after loading its config.
    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        Stop();
        throw new InvalidOperationException($"docker-registry on {Host} did not start: {string.Join('\n', _log)}");
    }
}
