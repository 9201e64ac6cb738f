using System.Text;
using System.Text.Json;
using AdmissionGuard.Hosting;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// <c>--fail-closed-webhook NAME</c>: the chart installs the validating webhook with <c>failurePolicy: Ignore</c>, so
/// nothing is rejected before AdmissionGuard can answer; once this replica leads and is ready (policies loaded,
/// certificate in place), it switches the <c>validate.admissionguard.io</c> webhook of that configuration to
/// <c>Fail</c>, and puts it back whenever something (a <c>helm upgrade</c>) resets it. As Kyverno does.
/// </summary>
internal sealed class FailClosedWhenReady(
    KubeApi api, string configuration, AdmissionStateStore store, Readiness readiness, ILeadership leadership, TimeProvider time, ILogger<FailClosedWhenReady> logger)
    : BackgroundService
{
    public const string WebhookName = "validate.admissionguard.io";

    private static readonly byte[] Patch = Encoding.UTF8.GetBytes($$"""{"webhooks":[{"name":"{{WebhookName}}","failurePolicy":"Fail"}]}""");

    /// <summary>How often the configuration is checked again.</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Raised after each check with whether the webhook fails closed now.</summary>
    public event Action<bool>? Checked;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = ResourcePath.ValidatingWebhookConfigurations.Item(null, configuration);
        var logged = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (leadership.IsLeader && readiness.IsReady(store.Current))
                {
                    var closed = await EnsureAsync(path, stoppingToken).ConfigureAwait(false);
                    if (closed && !logged)
                    {
                        logger.LogInformation("validating webhook {Name} in {Configuration} fails closed now that AdmissionGuard answers", WebhookName, configuration);
                    }

                    logged = closed;
                    Checked?.Invoke(closed);
                }

                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or JsonException)
            {
                logger.LogWarning("cannot set failurePolicy: Fail on {Configuration}: {Error}; it stays Ignore (fails open) until this succeeds", configuration, e.Message);
                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> EnsureAsync(string path, CancellationToken cancellationToken)
    {
        using var current = await api.GetJsonAsync(path, cancellationToken).ConfigureAwait(false);
        if (!current.RootElement.TryGetProperty("webhooks", out var webhooks) || webhooks.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var webhook in webhooks.EnumerateArray())
        {
            if (webhook.TryGetProperty("name", out var name) && name.ValueEquals(WebhookName))
            {
                if (webhook.TryGetProperty("failurePolicy", out var policy) && policy.ValueEquals("Fail"))
                {
                    return true;
                }

                // Strategic merge by webhook name: only this webhook's failurePolicy changes.
                using var _ = await api.SendJsonAsync(HttpMethod.Patch, path, Patch, "application/strategic-merge-patch+json", cancellationToken).ConfigureAwait(false);
                return true;
            }
        }

        return false;
    }
}
