using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdmissionGuard.Certificates;
using AdmissionGuard.Hosting;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// The leader's side of self-managed certificates. Each pass reads the Secret and takes at most one step:
/// create a CA and serving certificate when there is no usable CA; put the Secret's CA bundle into the
/// <c>caBundle</c> of every webhook in both configurations when it differs; renew the serving certificate at
/// <see cref="SelfManagedCertificatesOptions.RenewAtFraction"/> of its life; rotate the CA as bundle first
/// (old + new CA), then a serving certificate from the new CA once the bundle has been in the webhooks for a
/// grace period, then the old CA out once that certificate has been in the Secret for a grace period.
/// All state lives in the Secret, so a new leader carries on; only the grace timers are local, and a new
/// leader restarts them, which errs on the safe side. Uses get, create and patch on the Secret and
/// get and patch (strategic merge, only <c>clientConfig.caBundle</c>) on the two configurations.
/// </summary>
internal sealed class SelfManagedCertificatesIssuer : SupervisedService
{
    private const string StrategicMergePatch = "application/strategic-merge-patch+json";
    private static readonly TimeSpan MinimumWait = TimeSpan.FromSeconds(1);

    private readonly KubeApi api;
    private readonly SelfManagedCertificatesOptions options;
    private readonly ILeadership leadership;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock wakeGate = new();
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? confirmedBundle;
    private DateTimeOffset confirmedBundleAt;
    private string? seenServing;
    private DateTimeOffset seenServingAt;

    public SelfManagedCertificatesIssuer(KubeApi api, SelfManagedCertificatesOptions options, ILeadership leadership, TimeProvider time, ILogger<SelfManagedCertificatesIssuer> logger, SelfManagedCertificatesProvider? provider = null,
        ServiceHealth? health = null, IHostApplicationLifetime? lifetime = null)
        : base("certificate issuer", time, logger, health, lifetime)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        this.api = api;
        this.options = options;
        this.leadership = leadership;
        this.time = time;
        this.logger = logger;
        leadership.LeadershipChanged += _ => Wake();
        if (provider is not null)
        {
            // Someone deleted or edited the Secret: repair it now rather than at the next resync.
            provider.SecretChanged += Wake;
        }
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Task woken;
            lock (wakeGate)
            {
                woken = wake.Task;
            }

            var delay = options.Resync;
            if (leadership.IsLeader)
            {
                try
                {
                    delay = await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or JsonException or CryptographicException or OperationCanceledException)
                {
                    failures++;
                    delay = Backoff.Delay(failures, options.InitialBackoff, options.MaxBackoff);
                    var level = failures > 3 ? LogLevel.Warning : LogLevel.Information;
                    logger.Log(level, "Self-managed certificates in Secret {Namespace}/{Name}: {Error}; retrying in {Delay} ms", options.Namespace, options.SecretName, e.Message, (int)delay.TotalMilliseconds);
                }
            }

            if (delay > TimeSpan.Zero)
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(delay, time, waiting.Token), woken).ConfigureAwait(false);
                await waiting.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <returns>How long until the next pass is due: zero right after a write, so the next step follows at once.</returns>
    private async Task<TimeSpan> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await ReadSecretAsync(cancellationToken).ConfigureAwait(false);
        var secret = existing is null ? new SelfManagedCertificatesSecret(null, null, null, null) : SelfManagedCertificatesSecret.Decode(existing.Value);
        var bundle = secret.Bundle();
        using var signer = secret.Signer(time);
        using var serving = secret.Serving();
        var node = existing is null ? null : JsonNode.Parse(existing.Value.GetRawText())!.AsObject();

        if (signer is null || !Valid(signer.Certificate, now))
        {
            using var ca = NewCa();
            using var fresh = ca.IssueServingCertificate(options.DnsNames, options.ServingValidity);
            logger.LogInformation("Creating a CA and serving certificate in Secret {Namespace}/{Name} ({Reason})", options.Namespace, options.SecretName, existing is null ? "no Secret" : signer is null ? "no usable ca.crt/ca.key" : "the CA has expired");
            var content = new SelfManagedCertificatesSecret(Pem(fresh), KeyPem(fresh), SelfManagedCertificatesSecret.PemBundle([ca.Certificate]), ca.ExportKeyPem());
            await WriteSecretAsync(node, content, cancellationToken).ConfigureAwait(false);
            return TimeSpan.Zero;
        }

        // The API server must trust whatever the Secret's bundle holds before anything else moves.
        await EnsureCaBundleAsync(secret.CaCrt!, cancellationToken).ConfigureAwait(false);
        if (confirmedBundle != secret.CaCrt)
        {
            confirmedBundle = secret.CaCrt;
            confirmedBundleAt = now;
        }

        var due = new List<DateTimeOffset> { RenewAt(signer.Certificate) };
        if (now >= RenewAt(signer.Certificate))
        {
            // Bundle first: the new CA signs nothing served until the webhooks have trusted it for a while.
            using var ca = NewCa();
            var kept = bundle.Where(c => Valid(c, now)).Append(ca.Certificate).ToList();
            logger.LogInformation("CA {Old} is due for renewal: adding CA {New} to the bundle ({Count} CAs)", signer.Certificate.Subject, ca.Certificate.Subject, kept.Count);
            await WriteSecretAsync(node, secret with { CaCrt = SelfManagedCertificatesSecret.PemBundle(kept), CaKey = ca.ExportKeyPem() }, cancellationToken).ConfigureAwait(false);
            return TimeSpan.Zero;
        }

        var fromSigner = serving is not null && IssuedBy(serving, signer.Certificate);
        var fromOldCa = serving is not null && !fromSigner && bundle.Any(c => IssuedBy(serving, c));
        var problem = serving is null ? "missing or unreadable"
            : !fromSigner && !fromOldCa ? "not issued by a CA in ca.crt"
            : !HasNames(serving) ? $"lacks the names {string.Join(", ", options.DnsNames)}"
            : !Valid(serving, now) ? "outside its validity"
            : now >= RenewAt(serving) ? "due for renewal"
            : null;
        var bundleSettledAt = confirmedBundleAt + options.Grace;
        if (fromOldCa && problem is null or "due for renewal" && now < bundleSettledAt)
        {
            // Mid CA rotation: the old CA's certificate still works; switch once the bundle has settled.
            due.Add(bundleSettledAt);
            return Until(due, now);
        }

        if (problem is not null || fromOldCa)
        {
            using var fresh = signer.IssueServingCertificate(options.DnsNames, options.ServingValidity);
            logger.LogInformation("Issuing serving certificate {Thumbprint} from CA {Ca} (expires {NotAfter:O}): the current one is {Reason}", fresh.Thumbprint, signer.Certificate.Subject, fresh.NotAfter.ToUniversalTime(), problem ?? "from the previous CA");
            await WriteSecretAsync(node, secret with { TlsCrt = Pem(fresh), TlsKey = KeyPem(fresh) }, cancellationToken).ConfigureAwait(false);
            return TimeSpan.Zero;
        }

        due.Add(RenewAt(serving!));
        if (seenServing != serving!.Thumbprint)
        {
            seenServing = serving.Thumbprint;
            seenServingAt = now;
        }

        if (bundle.Count > 1)
        {
            // Every replica has had the grace period to load the new CA's certificate: the old CA can go.
            var servedSince = seenServingAt + options.Grace;
            if (now < servedSince)
            {
                due.Add(servedSince);
                return Until(due, now);
            }

            logger.LogInformation("Dropping {Count} old CA(s) from the bundle; CA {Ca} remains", bundle.Count - 1, signer.Certificate.Subject);
            await WriteSecretAsync(node, secret with { CaCrt = SelfManagedCertificatesSecret.PemBundle([signer.Certificate]) }, cancellationToken).ConfigureAwait(false);
            return TimeSpan.Zero;
        }

        return Until(due, now);
    }

    private void Wake()
    {
        TaskCompletionSource old;
        lock (wakeGate)
        {
            old = wake;
            wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
    }

    private TimeSpan Until(List<DateTimeOffset> due, DateTimeOffset now)
    {
        var wait = due.Min() - now;
        return wait < MinimumWait ? MinimumWait : wait > options.Resync ? options.Resync : wait;
    }

    private SelfSignedCertificateAuthority NewCa() =>
        SelfSignedCertificateAuthority.Create(time, options.CaValidity, $"admissionguard-ca@{time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");

    private async Task<JsonElement?> ReadSecretAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var document = await api.GetJsonAsync(ResourcePath.Secrets.Item(options.Namespace, options.SecretName), cancellationToken).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Create, or merge-patch the data conditional on the resourceVersion read (a 409 means another writer won: the next pass re-reads).</summary>
    private async Task WriteSecretAsync(JsonObject? existing, SelfManagedCertificatesSecret content, CancellationToken cancellationToken)
    {
        JsonDocument written;
        if (existing is null)
        {
            var body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = options.SecretName,
                    ["namespace"] = options.Namespace,
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "admissionguard" },
                },
                ["type"] = SelfManagedCertificatesSecret.SecretType,
                ["data"] = content.ToData(),
            };
            written = await api.SendJsonAsync(HttpMethod.Post, ResourcePath.Secrets.NamespacedCollection(options.Namespace), Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Only our four data keys, and only if nobody wrote since the read; nothing else we read is sent back.
            var resourceVersion = existing["metadata"]?["resourceVersion"]?.GetValue<string>() ?? throw new JsonException("the Secret has no metadata.resourceVersion");
            var patch = MergePatch.Conditional(resourceVersion, ("data", content.ToData()));
            written = await api.SendJsonAsync(HttpMethod.Patch, ResourcePath.Secrets.Item(options.Namespace, options.SecretName), Encoding.UTF8.GetBytes(patch.ToJsonString()), MergePatch.ContentType, cancellationToken).ConfigureAwait(false);
        }

        written.Dispose();
    }

    /// <summary>Patches <c>clientConfig.caBundle</c> of each webhook that lacks exactly this bundle, and nothing else.</summary>
    private async Task EnsureCaBundleAsync(string bundlePem, CancellationToken cancellationToken)
    {
        var caBundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(bundlePem));
        foreach (var (path, name) in new[] { (ResourcePath.ValidatingWebhookConfigurations, options.ValidatingWebhook), (ResourcePath.MutatingWebhookConfigurations, options.MutatingWebhook) })
        {
            if (name is null)
            {
                continue;
            }

            var item = path.Item(null, name);
            List<string> stale = [];
            try
            {
                using var document = await api.GetJsonAsync(item, cancellationToken).ConfigureAwait(false);
                if (document.RootElement.TryGetProperty("webhooks", out var webhooks) && webhooks.ValueKind == JsonValueKind.Array)
                {
                    foreach (var webhook in webhooks.EnumerateArray())
                    {
                        var current = webhook.TryGetProperty("clientConfig", out var client) && client.TryGetProperty("caBundle", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
                        if (current != caBundle && webhook.TryGetProperty("name", out var n) && n.GetString() is { } webhookName)
                        {
                            stale.Add(webhookName);
                        }
                    }
                }
            }
            catch (KubeApiException e) when (e.StatusCode == 404)
            {
                // Nothing calls us through a configuration that does not exist, so nothing waits on it.
                logger.LogWarning("{Kind} {Name} does not exist; its caBundle is written once it does", path.Kind, name);
                continue;
            }

            if (stale.Count == 0)
            {
                continue;
            }

            // Strategic merge keys the webhooks list by name: only caBundle changes, every other field (and any
            // webhook we do not list) is left as it is, with no read-modify-write race on the rest.
            var patch = new JsonObject
            {
                ["webhooks"] = new JsonArray([.. stale.Select(n => (JsonNode)new JsonObject
                {
                    ["name"] = n,
                    ["clientConfig"] = new JsonObject { ["caBundle"] = caBundle },
                })]),
            };
            using var patched = await api.SendJsonAsync(HttpMethod.Patch, item, Encoding.UTF8.GetBytes(patch.ToJsonString()), StrategicMergePatch, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Wrote caBundle ({Count} CA(s)) into {Kind} {Name}: {Webhooks}", CountCertificates(bundlePem), path.Kind, name, string.Join(", ", stale));
        }
    }

    private bool HasNames(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san?.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        return options.DnsNames.All(names.Contains);
    }

    private DateTimeOffset RenewAt(X509Certificate2 certificate)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var life = certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime();
        return notBefore + (life * options.RenewAtFraction);
    }

    private static bool Valid(X509Certificate2 certificate, DateTimeOffset now) =>
        now >= certificate.NotBefore.ToUniversalTime() && now < certificate.NotAfter.ToUniversalTime();

    /// <summary>Whether <paramref name="ca"/> signed the certificate (validity is judged separately).</summary>
    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate) && chain.ChainElements.Count == 2 && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData);
    }

    private static int CountCertificates(string pem) => pem.Split("-----BEGIN CERTIFICATE-----").Length - 1;

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private static string KeyPem(X509Certificate2 certificate) => CertificatePemFiles.ExportPrivateKeyPem(certificate) + "\n";
}
