using System.CommandLine;
using System.Net;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Webhooks;

namespace AdmissionGuard.Commands;

internal sealed record ServeSettings(
    IPEndPoint Listen,
    IPEndPoint? MetricsListen,
    string? TlsCert,
    string? TlsKey,
    string? PoliciesDir,
    string? ScansDir,
    string CaDir,
    TimeSpan Drain,
    WebhookOptions Webhook,
    RegistryOptions Registry,
    Scans.GradeScale GradeScale,
    Kubernetes.ClusterModeOptions? Cluster)
{
    /// <summary>Most decision records written per second (<c>--decision-log-rate</c>).</summary>
    public int DecisionLogRate { get; init; } = 100;

    /// <summary>How often the background audit runs in a cluster (<c>--audit-interval</c>).</summary>
    public TimeSpan AuditInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The ValidatingWebhookConfiguration the ready leader switches to <c>failurePolicy: Fail</c> (<c>--fail-closed-webhook</c>).</summary>
    public string? FailClosedWebhook { get; init; }

    /// <summary>Trace export (<c>--tracing</c> and the OTEL_* variables); null when tracing is off.</summary>
    public Telemetry.TracingSettings? Tracing { get; init; }

    public static ServeSettings? From(ParseResult line, out string? error)
    {
        error = null;
        if (!TryEndpoint(line.Value("--listen") ?? "0.0.0.0:8443", out var listen))
        {
            error = $"--listen \"{line.Value("--listen")}\" is not HOST:PORT";
            return null;
        }

        IPEndPoint? metrics = null;
        if (line.Value("--metrics-listen") is { } m && !TryEndpoint(m, out metrics))
        {
            error = $"--metrics-listen \"{m}\" is not HOST:PORT";
            return null;
        }

        var cert = line.Value("--tls-cert");
        var key = line.Value("--tls-key");
        if ((cert is null) != (key is null))
        {
            error = "--tls-cert and --tls-key go together";
            return null;
        }

        // Without --policies, serve watches the CRDs of the cluster it runs in (or its kubeconfig's).
        var policies = line.Value("--policies");
        var cluster = Kubernetes.ClusterModeOptions.TryParse(line, out error);
        if (policies is null && cluster is null)
        {
            return null;
        }

        if (cluster is not null && Kubernetes.KubeClientFactory.Unavailable(cluster.Kubeconfig) is { } unavailable)
        {
            error = cluster.Kubeconfig is null ? unavailable + "; give --policies DIR to run locally" : unavailable;
            return null;
        }

        if (policies is not null && !Directory.Exists(policies))
        {
            error = $"--policies {policies}: no such directory; give the folder that holds your policy YAML";
            return null;
        }

        var scans = line.Value("--scans");
        if (scans is not null && !Directory.Exists(scans))
        {
            error = $"--scans {scans}: no such directory; give the folder that holds your ImageScan YAML";
            return null;
        }

        var registry = new RegistryOptions();
        TimeSpan drain = TimeSpan.FromSeconds(2), deadline = TimeSpan.FromSeconds(3), budget = registry.Budget, ttl = registry.Ttl, negativeTtl = registry.NegativeTtl;
        foreach (var (name, set) in new (string, Action<TimeSpan>)[]
                 {
                     ("--drain", v => drain = v), ("--deadline", v => deadline = v), ("--registry-budget", v => budget = v),
                     ("--registry-ttl", v => ttl = v), ("--registry-negative-ttl", v => negativeTtl = v),
                 })
        {
            if (line.Value(name) is { } text)
            {
                if (!GoDuration.TryParse(text, out var value))
                {
                    error = $"{name} \"{text}\" is not a duration such as 5s or 300ms";
                    return null;
                }

                set(value);
            }
        }

        var caDir = line.Value("--ca-dir") ?? Path.Combine(Path.GetTempPath(), "admissionguard");
        if (budget >= deadline)
        {
            error = $"--registry-budget must be below --deadline ({deadline.TotalSeconds}s)";
            return null;
        }

        var rate = line.GetValue<int>("--decision-log-rate");
        if (rate < 0)
        {
            error = $"--decision-log-rate {rate}: must be 0 (no decision records) or more lines per second";
            return null;
        }

        var auditInterval = TimeSpan.FromMinutes(10);
        if (line.Value("--audit-interval") is { } interval && (!GoDuration.TryParse(interval, out auditInterval) || auditInterval <= TimeSpan.Zero))
        {
            error = $"--audit-interval \"{interval}\" is not a positive duration such as 10m";
            return null;
        }

        var failClosed = line.Value("--fail-closed-webhook");
        if (failClosed is not null && cluster is null)
        {
            error = "--fail-closed-webhook only works in a cluster (without --policies)";
            return null;
        }

        var scale = ScanFactsLoader.LoadScale(line.Value("--grade-scale"), out error);
        if (scale is null)
        {
            return null;
        }

        if (RegistryOptionsCli.From(line, registry with { Budget = budget, Ttl = ttl, NegativeTtl = negativeTtl }, out error) is not { } asked)
        {
            return null;
        }

        var tracing = Telemetry.TracingSettings.From(line.GetValue<bool>("--tracing"), out error);
        if (error is not null)
        {
            return null;
        }

        return new ServeSettings(listen!, metrics, cert, key, policies, scans, caDir, drain,
            new WebhookOptions { Deadline = deadline, RegistryBudget = budget }, asked, scale, cluster is null ? null : cluster with { Scale = scale })
        {
            DecisionLogRate = rate,
            AuditInterval = auditInterval,
            FailClosedWebhook = failClosed,
            Tracing = tracing,
        };
    }

    private static bool TryEndpoint(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        IPAddress? address = host is "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
