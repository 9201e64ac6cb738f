using AdmissionGuard.Certificates;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using System.CommandLine;
using OpenTelemetry.Metrics;

namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard serve</c>: the webhook over HTTPS, in local mode from policy files.</summary>
internal static class ServeCommand
{
    /// <summary>ASP.NET Core's per-request hosting log category (also silenced by the load run's null webhook).</summary>
    internal const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The <c>serve</c> command; <paramref name="started"/> is called once it listens (tests wait for it). Without one,
    /// the process is the server's own and hands what starting left on its heap back a second after it listens
    /// (<see cref="LoadingMemory.ReturnAfterStart"/>); a host that embeds the command keeps its heap as it is.
    /// </summary>
    public static Command Create(Action<WebApplication>? started = null)
    {
        started ??= _ => LoadingMemory.ReturnAfterStart();
        var command = new Command("serve", "Run the admission webhook over HTTPS: from policy files with --policies DIR, otherwise from the cluster's CRDs.")
        {
            Option("--listen", "HOST:PORT", "Address of the HTTPS webhook (default 0.0.0.0:8443)."),
            Option("--tls-cert", "FILE", "PEM serving certificate (with --tls-key), reloaded on change; without both, a self-signed CA for localhost is made."),
            Option("--tls-key", "FILE", "PEM private key of --tls-cert."),
            Option("--policies", "DIR", "Read policies (and Namespaces) from YAML files in DIR, reloaded on change, instead of the cluster's CRDs."),
            Option("--scans", "DIR", "Read ImageScan YAML files from DIR (with --policies)."),
            Option("--metrics-listen", "HOST:PORT", "Serve /metrics as plain HTTP here (default: on the HTTPS port)."),
            Option("--drain", "DURATION", "How long requests are still served after SIGTERM while /readyz fails (default 2s)."),
            Option("--deadline", "DURATION", "Every admission request is answered within this time (default 3s)."),
            Option("--ca-dir", "DIR", "Where the self-signed CA is written when no --tls-cert is given (default $TMPDIR/admissionguard)."),
            Option("--registry-budget", "DURATION", "How long an admission waits for a registry lookup on a cache miss (default 300ms; below --deadline)."),
            Option("--registry-ttl", "DURATION", "How long a registry answer is cached (default 10m)."),
            Option("--registry-negative-ttl", "DURATION", "How long a 'not found' or failed lookup is cached (default 1m)."),
            RegistryOptionsCli.InsecureRegistry(),
            RegistryOptionsCli.RegistryCa(),
            RegistryOptionsCli.DockerConfig(),
            Option("--grade-scale", "FILE", "YAML thresholds of the grade scale, cluster-wide (default: the documented scale)."),
            new Option<int>("--decision-log-rate") { HelpName = "N", DefaultValueFactory = _ => 100, Description = "At most N decision records per second on stdout; the rest are counted as dropped." },
            Option("--audit-interval", "DURATION", "How often the background audit judges running Pods, in a cluster (default 10m)."),
            // In a cluster (no --policies); ClusterModeOptions.TryParse reads these.
            Option("--kubeconfig", "FILE", "In a cluster: the kubeconfig to reach the API server with (default: the service account, $KUBECONFIG, ~/.kube/config)."),
            Option("--namespace", "NS", "In a cluster: namespace of the Lease, TLS Secret and Service (default: the pod's namespace)."),
            Option("--service-name", "SVC", "In a cluster: the Service the webhooks call (names in the self-managed certificate)."),
            Option("--leader-election-lease", "NAME", "In a cluster: Lease that elects the replica writing status; without it this replica assumes it is alone."),
            Option("--tls-secret", "NAME", "In a cluster: self-managed certificates kept in this Secret (needs --service-name)."),
            Option("--validating-webhook", "NAME", "In a cluster, with --tls-secret: ValidatingWebhookConfiguration whose caBundle is patched."),
            Option("--mutating-webhook", "NAME", "In a cluster, with --tls-secret: MutatingWebhookConfiguration whose caBundle is patched."),
            new Option<bool>("--trivy-operator-reports") { Description = "In a cluster: also read trivy-operator VulnerabilityReports as scans." },
            Option("--fail-closed-webhook", "NAME", "In a cluster: once this replica leads and is ready, switch this ValidatingWebhookConfiguration's webhook to failurePolicy Fail."),
            new Option<bool>("--tracing") { Description = "Export OpenTelemetry traces over OTLP (also on when OTEL_EXPORTER_OTLP_ENDPOINT is set); configured by the OTEL_* variables." },
            new Option<bool>("--workload-pull-secrets") { Description = "In a cluster: verify twins with each workload's own pull secrets (needs list/watch on Secrets)." },
        };
        command.SetAction((result, cancellationToken) => RunAsync(result, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, started, cancellationToken));
        return command;
    }

    /// <summary><paramref name="args"/> are the arguments after <c>serve</c>.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Action<WebApplication>? started = null, CancellationToken cancellationToken = default) =>
        Cli.RunAsync(Create(started), args, stdout, stderr, cancellationToken);

    private static Option<string> Option(string name, string value, string description) => new(name) { HelpName = value, Description = description };

    private static async Task<int> RunAsync(ParseResult line, TextWriter stdout, TextWriter stderr, Action<WebApplication>? started, CancellationToken cancellationToken)
    {
        var settings = ServeSettings.From(line, out var error);
        if (settings is null)
        {
            stderr.WriteLine($"admissionguard serve: {error}");
            return Cli.BadInput;
        }

        // The first TLS handshake waits for it; it loads while the rest of the start runs.
        SystemTrustStore.LoadInBackground();

        // Found before the host starts, so a busy port is one line rather than a host that fails half started.
        if ((PortInUse(settings.Listen, "--listen") ?? (settings.MetricsListen is { } metricsPort ? PortInUse(metricsPort, "--metrics-listen") : null)) is { } busy)
        {
            stderr.WriteLine($"admissionguard serve: {busy}");
            return Cli.BadInput;
        }

        // Invalid policies never fail open: at startup every invalid file is named and nothing is served. After
        // startup, the folder keeps the last good version of a file that an edit breaks. This read is the one the
        // loader serves first.
        var folder = LocalPolicyFolder.For(settings);
        if (folder?.ReadFirst() is { Count: > 0 } invalid)
        {
            foreach (var e in invalid)
            {
                stderr.WriteLine($"admissionguard serve: invalid policy file (fix it or move it out of the folder): {e}");
            }

            return Cli.BadInput;
        }

        // stdout carries decision records only (one JSON object per line); logs and startup lines go to stderr.
        using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        // Self-managed mode serves whatever the watched Secret holds; otherwise files or a local self-signed CA.
        using var certificates = settings.Cluster?.TlsSecret is null ? CreateCertificateProvider(settings, stderr, loggers, out error) : null;
        if (error is not null)
        {
            stderr.WriteLine($"admissionguard serve: {error}");
            return Cli.BadInput;
        }

        // Nothing in the product reads configuration files. Without this the host watches its working directory for
        // appsettings.json changes, recursively: an inotify watch for every folder below it (1,349 in this repository),
        // about a tenth of the start's CPU when run from a source checkout.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting starts an Activity (and a log scope) for every request whenever this category logs at any level, only
        // so that its request log lines can carry it: about 850 bytes (tests/load/allocations.sh) and 5,700 instructions
        // a request (callgrind). It logs nothing above Information but a startup exception, which StartAsync throws to
        // us anyway.
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Drain + TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The endpoints enforce MaxBodyBytes themselves (413); Kestrel's higher limit only bounds how much of an
            // oversized body is read and discarded so that the client can read the 413 (see AdmissionEndpoints).
            kestrel.Limits.MaxRequestBodySize = 4L * settings.Webhook.MaxBodyBytes;
            kestrel.Listen(settings.Listen, listen => listen.UseAdmissionGuardTls(kestrel.ApplicationServices.GetRequiredService<ICertificateProvider>()));
            if (settings.MetricsListen is { } metricsEndpoint)
            {
                kestrel.Listen(metricsEndpoint);
            }
        });

        if (certificates is not null)
        {
            builder.Services.AddSingleton(certificates.Provider);
        }

        if (folder is not null)
        {
            builder.Services.AddSingleton(folder);
        }

        builder.Services.AddAdmissionGuard(settings, stdout);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AdmissionMetrics.MeterName)
            // The runtime's own meter (GC heap sizes by generation, working set, JIT): what an operator needs to tell a
            // leak from a heap that is still sizing itself, and what tests/soak samples.
            .AddMeter(MetricStreams.RuntimeMeter)
            .AddView(MetricStreams.For)
            .AddPrometheusExporter());

        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<AdmissionStateStore>();
        app.Services.GetService<LocalPolicyLoader>()?.LoadNow();
        var metrics = app.Services.GetRequiredService<AdmissionMetrics>();
        var registry = app.Services.GetRequiredService<RegistryFactCache>();
        registry.LookupCompleted += metrics.RegistryRequest;
        app.Services.GetRequiredService<SignatureFactCache>().Verified += metrics.SignatureVerified;
        metrics.ObserveBreakers(() => registry.OpenBreakers);
        metrics.ObserveCertificate(app.Services.GetRequiredService<ICertificateProvider>());
        foreach (var e in store.Current.Snapshot.Errors)
        {
            stderr.WriteLine($"admissionguard serve: invalid policy: {e}");
        }

        app.UseWhen(c => !c.Request.IsHttps && !IsMetricsRequest(c, settings), branch => branch.Run(async c =>
        {
            c.Response.StatusCode = 400;
            await c.Response.WriteAsync("admission endpoints are served over HTTPS only\n").ConfigureAwait(false);
        }));
        app.MapAdmissionGuard();
        app.MapPrometheusScrapingEndpoint("/metrics");

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            var (option, endpoint) = settings.MetricsListen is { } m && e.Message.Contains($":{m.Port}", StringComparison.Ordinal) ? ("--metrics-listen", m) : ("--listen", settings.Listen);
            stderr.WriteLine($"admissionguard serve: {InUse(option, endpoint)}");
            return Cli.BadInput;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"admissionguard serve: cannot listen on {settings.Listen}: {e.Message}; choose another address with --listen");
            return Cli.BadInput;
        }

        // The bound addresses, not the flag: with port 0 only Kestrel knows which port it got.
        stderr.WriteLine($"admissionguard: serving {string.Join(", ", app.Urls)} {(settings.PoliciesDir is { } dir ? $"with {store.Current.Snapshot.PolicyCount} policies from {dir}" : "watching the cluster's policies")}");
        started?.Invoke(app);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);

        // A background service that failed for good is an error exit, never 0.
        return ServiceHealth.ExitCodeOf(app.Services);
    }

    private static bool IsMetricsRequest(HttpContext context, ServeSettings settings) =>
        settings.MetricsListen is { } m && context.Connection.LocalPort == m.Port && context.Request.Path.StartsWithSegments("/metrics");

    private static ServingCertificates? CreateCertificateProvider(ServeSettings settings, TextWriter stderr, ILoggerFactory loggers, out string? error)
    {
        error = null;
        if (settings.TlsCert is not null && settings.TlsKey is not null)
        {
            error = CheckTlsFiles(settings.TlsCert, settings.TlsKey);
            return error is null ? ServingCertificates.FromFiles(settings.TlsCert, settings.TlsKey, loggers.CreateLogger<CertificateReloader>()) : null;
        }

        try
        {
            var certificates = ServingCertificates.SelfSigned(settings.CaDir);
            stderr.WriteLine($"admissionguard: no --tls-cert/--tls-key given; self-signed CA for localhost written to {certificates.CaPath}");
            return certificates;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"--ca-dir {settings.CaDir}: cannot write the self-signed CA there ({e.Message}); give a writable folder with --ca-dir, or a certificate with --tls-cert and --tls-key";
            return null;
        }
    }

    /// <summary>Why the PEM pair cannot be served, naming the file and the fix; null when it can.</summary>
    private static string? CheckTlsFiles(string certificatePath, string keyPath)
    {
        string certificate, key;
        try
        {
            certificate = File.ReadAllText(certificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--tls-cert {certificatePath}: cannot be read ({e.Message}); give the PEM certificate file";
        }

        try
        {
            key = File.ReadAllText(keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--tls-key {keyPath}: cannot be read ({e.Message}); give the PEM private key file";
        }

        if (!certificate.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            return $"--tls-cert {certificatePath}: not a PEM certificate (no -----BEGIN CERTIFICATE----- block); give the PEM certificate file";
        }

        if (!key.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return $"--tls-key {keyPath}: not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block); give the PEM private key file";
        }

        try
        {
            using var loaded = CertificatePemFiles.LoadServingCertificate(certificate, key);
            return null;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return $"--tls-cert {certificatePath} with --tls-key {keyPath}: not a usable pair ({e.Message}); give a certificate and the key that belongs to it";
        }
    }

    /// <summary>Why <paramref name="endpoint"/> cannot be listened on, when a probe bind (as Kestrel binds) fails.</summary>
    private static string? PortInUse(System.Net.IPEndPoint endpoint, string option)
    {
        if (endpoint.Port == 0)
        {
            return null;
        }

        using var probe = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        // Kestrel sets SO_REUSEADDR on Unix, so connections in TIME_WAIT do not count as "in use".
        probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        try
        {
            probe.Bind(endpoint);
            return null;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            return InUse(option, endpoint);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return $"{option} {endpoint}: cannot listen there ({e.Message}); choose another address with {option}";
        }
    }

    private static string InUse(string option, System.Net.IPEndPoint endpoint) =>
        $"{option} {endpoint}: the port is already in use; stop what listens there or choose another port with {option}";
}
