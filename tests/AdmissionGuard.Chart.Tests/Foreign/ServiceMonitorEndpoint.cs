namespace AdmissionGuard.Chart.Tests.Foreign;

public sealed class ServiceMonitorEndpoint
{
    public string? Port { get; set; }

    public string? Path { get; set; }

    public string? Scheme { get; set; }

    public string? Interval { get; set; }

    public string? ScrapeTimeout { get; set; }
}
