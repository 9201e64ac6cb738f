using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Registry;

/// <summary>
/// Verified signature outcomes for the admission path, per digest, signature repository, key set and credential.
/// <see cref="Lookup"/> only reads memory; <see cref="EnsureAllAsync"/> starts at most one fetch-and-verify per key
/// (single flight) that keeps running when its caller stops waiting, so the next admission finds the answer.
/// Keys from Secrets are part of the cache key by content, so a changed key is verified afresh on its next use.
/// </summary>
internal sealed class SignatureFactCache : IDisposable
{
    private readonly SignatureFetcher _fetcher;
    private readonly SignatureOptions _options;
    private readonly RegistryOptions _registry;
    private readonly ISecretKeys _secrets;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<SignatureFact>> _inflight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RegistryCircuitBreaker> _breakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _shutdown = new();
    private int _fetches;
    private int _disposed;

    public SignatureFactCache(SignatureFetcher fetcher, SignatureOptions options, RegistryOptions registry, ISecretKeys secrets, TimeProvider time)
    {
        _fetcher = fetcher;
        _options = options;
        _registry = registry;
        _secrets = secrets;
        _time = time;
    }

    /// <summary>
    /// The cache as <c>serve</c> and <c>check --registry</c> both build it: fetching with <paramref name="client"/> (shared
    /// with the manifest lookups, so tokens and challenges are too) within <paramref name="registry"/>'s limits.
    /// </summary>
    public static SignatureFactCache Create(OciRegistryClient client, RegistryOptions registry, ISecretKeys secrets, TimeProvider time, SignatureOptions? options = null)
    {
        options ??= new SignatureOptions();
        return new SignatureFactCache(new SignatureFetcher(client, registry, options), options, registry, secrets, time);
    }

    /// <summary>Raised after every verification with its outcome: verified, unsigned, invalid or unreachable (metrics).</summary>
    public event Action<string>? Verified;

    /// <summary>How many times signature material was fetched (not answered from cache, flight or breaker).</summary>
    internal int Fetches => Volatile.Read(ref _fetches);

    public SignatureFact Lookup(SignatureQuery query, RegistryCredential? credential)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(Key(query, credential), out var entry) && entry.ExpiresAt > now)
        {
            return entry.Fact;
        }

        var registry = ManifestReference.RegistryOf(query.Repository);
        return registry is not null && _breakers.TryGetValue(registry, out var breaker) && breaker.IsOpen
            ? SignatureFact.Unreachable("circuit breaker open for " + registry)
            : SignatureFact.Unknown;
    }

    /// <summary>Starts every lookup not cached yet and waits for all of them at most <paramref name="budget"/> in total.</summary>
    public async Task<FlightWait> EnsureAllAsync(IEnumerable<(SignatureQuery Query, RegistryCredential? Credential)> queries, TimeSpan budget, CancellationToken cancellationToken)
    {
        var flights = queries
            .Where(q => Lookup(q.Query, q.Credential).State == SignatureState.Unknown)
            .Select(q => Start(q.Query, q.Credential))
            .Where(t => !t.IsCompleted)
            .ToList();
        return await Flights.WaitWithinAsync(flights, budget, _time, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    /// <summary>The query's key plus the credential and the content of every Secret key it uses.</summary>
    private string Key(SignatureQuery query, RegistryCredential? credential)
    {
        var key = new StringBuilder(query.Key).Append(' ').Append(credential?.Id);
        foreach (var reference in query.Requirement.Secrets)
        {
            var pem = _secrets.Find(reference, out _);
            key.Append(' ').Append(pem is null ? "-" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pem)).AsSpan(0, 12)));
        }

        return key.ToString();
    }

    private Task<SignatureFact> Start(SignatureQuery query, RegistryCredential? credential)
    {
        var key = Key(query, credential);
        if (_inflight.TryGetValue(key, out var existing))
        {
            return existing;
        }

        if (!ManifestReference.TryParse(query.Repository + "@" + query.Digest, out var signatures)
            || !ManifestReference.TryParse(query.ImageRepository + "@" + query.Digest, out var image))
        {
            return Task.FromResult(SignatureFact.Unreachable("not a repository: " + query.Repository));
        }

        var completion = new TaskCompletionSource<SignatureFact>(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = _inflight.GetOrAdd(key, completion.Task);
        if (winner != completion.Task)
        {
            return winner;
        }

        var breaker = _breakers.GetOrAdd(signatures.Registry, _ => new RegistryCircuitBreaker(_registry.BreakerFailureThreshold, _registry.BreakerCoolDown, _time));
        if (!breaker.TryAcquire())
        {
            _inflight.TryRemove(KeyValuePair.Create(key, completion.Task));
            completion.SetResult(SignatureFact.Unreachable("circuit breaker open for " + signatures.Registry));
            return completion.Task;
        }

        _ = Task.Run(() => RunAsync(key, query, signatures, image, credential, breaker, completion));
        return completion.Task;
    }

    private async Task RunAsync(string key, SignatureQuery query, ManifestReference signatures, ManifestReference image, RegistryCredential? credential, RegistryCircuitBreaker breaker, TaskCompletionSource<SignatureFact> completion)
    {
        var fact = SignatureFact.Unknown;
        using var span = Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.SignatureLookup, System.Diagnostics.ActivityKind.Client);
        span?.SetTag("admissionguard.registry", signatures.Registry);
        try
        {
            Interlocked.Increment(ref _fetches);
            var (material, failure, hostFailure) = await _fetcher.FetchAsync(signatures, image, query.Digest, credential, _shutdown.Token).ConfigureAwait(false);
            if (hostFailure)
            {
                breaker.RecordFailure();
            }
            else
            {
                breaker.RecordSuccess();
            }

            fact = material is null ? SignatureFact.Unreachable(failure ?? "registry could not be asked") : Verify(material, query);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            fact = SignatureFact.Unknown;
        }
#pragma warning disable CA1031 // a background lookup must never fault silently or leave waiters hanging
        catch (Exception e)
#pragma warning restore CA1031
        {
            breaker.RecordFailure();
            fact = SignatureFact.Unreachable("signature lookup failed: " + e.Message);
        }
        finally
        {
            if (fact.State != SignatureState.Unknown)
            {
                var now = _time.GetUtcNow();
                var ttl = fact.State == SignatureState.Verified ? _options.Ttl : _options.NegativeTtl;
                _entries[key] = new Entry(fact, now + ttl);
                Evict(now);
                var outcome = fact.State.ToString().ToLowerInvariant();
                span?.SetTag("admissionguard.outcome", outcome);
                Verified?.Invoke(outcome);
            }

            _inflight.TryRemove(KeyValuePair.Create(key, completion.Task));
            completion.SetResult(fact);
        }
    }

    private SignatureFact Verify(SignatureMaterial material, SignatureQuery query)
    {
        var keys = new List<NamedKey>();
        var problems = new List<string>();
        foreach (var trusted in query.Requirement.Keys)
        {
            if (trusted.Key is not null)
            {
                keys.Add(new NamedKey(trusted.Name, trusted.Key));
            }
            else if (_secrets.Find(trusted.Secret!, out var problem) is not { } pem)
            {
                problems.Add($"key {trusted.Name}: {problem}");
            }
            else if (VerificationKey.TryParse(pem, out var parsed, out var error))
            {
                keys.Add(new NamedKey(trusted.Name, parsed));
            }
            else
            {
                problems.Add($"key {trusted.Name}: Secret {trusted.Secret} {error}");
            }
        }

        // A key that cannot be read is said in the denial: it may be why nothing verifies.
        var fact = SignatureVerifier.Verify(problems.Count == 0 ? material : material with { Problems = [.. material.Problems, .. problems] }, query.Digest, keys, query.Requirement.RequireTransparencyLog);
        return fact;
    }

    private void Evict(DateTimeOffset now)
    {
        if (_entries.Count <= _options.MaxEntries)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now || _entries.Count > _options.MaxEntries * 9 / 10)
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private sealed record Entry(SignatureFact Fact, DateTimeOffset ExpiresAt);
}
