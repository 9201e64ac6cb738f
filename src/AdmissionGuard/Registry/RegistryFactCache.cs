using System.Collections.Concurrent;

namespace AdmissionGuard.Registry;

/// <summary>
/// Registry facts for the admission path. <c>Lookup</c> only reads memory; <c>EnsureAsync</c>
/// and <see cref="EnsureAllAsync"/> start at most one registry request per reference and credential (single-flight), which keeps
/// running in the background when its caller stops waiting, so the next admission finds the answer.
/// </summary>
/// <remarks>
/// Expiry: "exists" answers live <see cref="RegistryOptions.Ttl"/>; missing/refused/unreachable answers live
/// <see cref="RegistryOptions.NegativeTtl"/>. When a refresh cannot reach the registry, an expired "exists"
/// is kept (re-checked every NegativeTtl) for up to <see cref="RegistryOptions.StaleIfError"/>.
/// Size: above <see cref="RegistryOptions.MaxEntries"/> entries, entries past their stale window go first,
/// then the least recently read until 90% of the limit remains (a sweep, not strict LRU: the hot path only
/// stamps an access time and never takes a lock).
/// </remarks>
internal sealed class RegistryFactCache : IRegistryFacts, Webhooks.IRegistryWarmer, IDisposable
{
    private static readonly RegistryFact Unreachable = new(RegistryFactState.Unreachable, null);

    private readonly RegistryOptions _options;
    private readonly IManifestResolver _resolver;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<RegistryFact>> _inflight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RegistryCircuitBreaker> _breakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _shutdown = new();
    private int _evicting;
    private int _resolverCalls;

    private int _disposed;

    /// <summary>Raised after every registry request with its outcome: exists, missing, refused or failed (metrics).</summary>
    public event Action<string>? LookupCompleted;

    public RegistryFactCache(RegistryOptions options, IManifestResolver resolver, TimeProvider time)
    {
        _options = options;
        _resolver = resolver;
        _time = time;
    }

    /// <summary>How many times the registry was actually asked (not answered from cache, flight or breaker).</summary>
    internal int ResolverCalls => Volatile.Read(ref _resolverCalls);

    internal int Count => _entries.Count;

    /// <summary>Registries whose breaker is open now (the <c>admissionguard_registry_breakers_open</c> gauge).</summary>
    public int OpenBreakers
    {
        get
        {
            var open = 0;
            foreach (var breaker in _breakers.Values)
            {
                open += breaker.IsOpen ? 1 : 0;
            }

            return open;
        }
    }

    /// <summary>What is known now with the default credentials; never blocks, never does I/O.</summary>
    public RegistryFact Lookup(string normalizedReference) => Lookup(new RegistryQuery(normalizedReference, null));

    /// <summary><see cref="Lookup(string)"/> for a parsed image: its registry is known, nothing is parsed again.</summary>
    public RegistryFact Lookup(Images.ImageReference image) => Lookup(new RegistryQuery(image.Normalized, null), image.Registry);

    /// <summary>What is known now; never blocks, never does I/O. Unreachable for unknown references of a registry whose breaker is open.</summary>
    public RegistryFact Lookup(RegistryQuery query) => Lookup(query, null);

    private RegistryFact Lookup(RegistryQuery query, string? registryOfQuery)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(query.Key, out var entry))
        {
            entry.Touch(now);
            if (entry.ExpiresAt > now)
            {
                return entry.Fact;
            }
        }

        var registry = registryOfQuery ?? ManifestReference.RegistryOf(query.Reference);
        return registry is not null && _breakers.TryGetValue(registry, out var breaker) && breaker.IsOpen
            ? Unreachable
            : RegistryFact.Unknown;
    }

    public IRegistryFacts For(PullScope scope) => scope.IsDefault ? this : new ScopedFacts(this, scope);

    /// <summary>
    /// The fact for <paramref name="normalizedReference"/>, asking the registry when it is not cached, waiting at
    /// most <paramref name="budget"/>. When the budget runs out the answer is <see cref="RegistryFact.Unknown"/>
    /// and the lookup goes on in the background. A zero budget never waits.
    /// </summary>
    public async Task<RegistryFact> EnsureAsync(string normalizedReference, TimeSpan budget, CancellationToken cancellationToken)
    {
        var query = new RegistryQuery(normalizedReference, null);
        if (TryFresh(query.Key, out var fact))
        {
            return fact;
        }

        var flight = Start(query);
        if (flight.IsCompleted)
        {
            return await flight.ConfigureAwait(false);
        }

        return await Flights.ResultWithinAsync(flight, RegistryFact.Unknown, budget, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts every lookup at once (each with every credential of <paramref name="scope"/> that could pull it) and waits
    /// for all of them within one shared budget; read results with <see cref="For"/>.
    /// </summary>
    public async Task<FlightWait> EnsureAllAsync(IEnumerable<string> normalizedReferences, PullScope scope, TimeSpan budget, CancellationToken cancellationToken)
    {
        var queries = new List<RegistryQuery>();
        foreach (var reference in normalizedReferences)
        {
            scope.AddQueries(reference, queries);
        }

        var flights = queries.Distinct()
            .Where(q => !TryFresh(q.Key, out _))
            .Select(Start)
            .Where(t => !t.IsCompleted)
            .ToList();
        return await Flights.WaitWithinAsync(flights, budget, _time, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // Registered under several service types, so the container may dispose it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private bool TryFresh(string reference, out RegistryFact fact)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(reference, out var entry) && entry.ExpiresAt > now)
        {
            entry.Touch(now);
            fact = entry.Fact;
            return true;
        }

        fact = default;
        return false;
    }

    private Task<RegistryFact> Start(RegistryQuery query)
    {
        var reference = query.Key;
        if (!ManifestReference.TryParse(query.Reference, out var parsed))
        {
            return Task.FromResult(Unreachable);
        }

        if (_inflight.TryGetValue(reference, out var existing))
        {
            return existing;
        }

        var breaker = _breakers.GetOrAdd(parsed.Registry, _ => new RegistryCircuitBreaker(
            _options.BreakerFailureThreshold, _options.BreakerCoolDown, _time));
        var completion = new TaskCompletionSource<RegistryFact>(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = _inflight.GetOrAdd(reference, completion.Task);
        if (winner != completion.Task)
        {
            return winner;
        }

        // Another flight may have filled the entry between the caller's cache miss and winning this flight
        // (entries are written before flights are removed, so it is visible now).
        if (TryFresh(reference, out var cached))
        {
            _inflight.TryRemove(KeyValuePair.Create(reference, completion.Task));
            completion.SetResult(cached);
            return completion.Task;
        }

        // An open breaker answers at once, on the caller's thread, without I/O.
        if (!breaker.TryAcquire())
        {
            var fact = KeepStaleOr(reference, Unreachable, "circuit breaker open for " + parsed.Registry);
            _inflight.TryRemove(KeyValuePair.Create(reference, completion.Task));
            completion.SetResult(fact);
            return completion.Task;
        }

        // Task.Run: the caller (an admission request) must not run connection setup synchronously.
        _ = Task.Run(() => RunAsync(reference, parsed, query.Credential, breaker, completion));
        return completion.Task;
    }

    private async Task RunAsync(string reference, ManifestReference parsed, RegistryCredential? credential, RegistryCircuitBreaker breaker, TaskCompletionSource<RegistryFact> completion)
    {
        var fact = Unreachable;
        // A child of the admission's registry wait that started it (the execution context flows into Task.Run); it may
        // outlive that request, which stopped waiting at its budget.
        using var span = Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.RegistryLookup, System.Diagnostics.ActivityKind.Client);
        span?.SetTag("admissionguard.registry", parsed.Registry);
        span?.SetTag("admissionguard.credential", credential is null ? "default" : "workload");
        try
        {
            Interlocked.Increment(ref _resolverCalls);
            var result = await _resolver.ResolveAsync(parsed, credential, _shutdown.Token).ConfigureAwait(false);
            if (result.HostFailure)
            {
                breaker.RecordFailure();
            }
            else
            {
                breaker.RecordSuccess();
            }

            fact = Store(reference, result);
            var outcome = result.State switch
            {
                RegistryFactState.Exists => "exists",
                RegistryFactState.Missing => "missing",
                _ => result.HostFailure ? "failed" : "refused",
            };
            span?.SetTag("admissionguard.outcome", outcome);
            LookupCompleted?.Invoke(outcome);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            fact = RegistryFact.Unknown;
        }
#pragma warning disable CA1031 // a background lookup must never fault silently or leave waiters hanging
        catch (Exception e)
#pragma warning restore CA1031
        {
            breaker.RecordFailure();
            fact = Store(reference, RegistryLookupResult.Failed("lookup failed: " + e.Message));
            span?.SetTag("admissionguard.outcome", "failed");
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            LookupCompleted?.Invoke("failed");
        }
        finally
        {
            // The entry is written before the flight is removed, so no caller can miss both.
            _inflight.TryRemove(KeyValuePair.Create(reference, completion.Task));
            completion.SetResult(fact);
        }
    }

    private RegistryFact Store(string reference, RegistryLookupResult result)
    {
        var now = _time.GetUtcNow();
        if (result.State == RegistryFactState.Unreachable)
        {
            var kept = KeepStaleOr(reference, null, result.Reason);
            if (kept is { } stale)
            {
                return stale;
            }
        }

        var ttl = result.State == RegistryFactState.Exists ? _options.Ttl : _options.NegativeTtl;
        var staleUntil = result.State == RegistryFactState.Exists ? now + ttl + _options.StaleIfError : now + ttl;
        _entries[reference] = new Entry(result.ToFact(), now + ttl, staleUntil, result.Reason, now);
        EvictIfFull(now);
        return result.ToFact();
    }

    /// <summary>
    /// When the registry cannot be asked: an expired "exists" inside its stale window is kept and re-checked
    /// after NegativeTtl; otherwise <paramref name="otherwise"/>.
    /// </summary>
    private RegistryFact? KeepStaleOr(string reference, RegistryFact? otherwise, string? reason)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(reference, out var old) && old.Fact.State == RegistryFactState.Exists && now < old.StaleUntil)
        {
            var retryAt = now + _options.NegativeTtl;
            _entries[reference] = old with { ExpiresAt = retryAt < old.StaleUntil ? retryAt : old.StaleUntil, Reason = "stale: " + reason };
            return old.Fact;
        }

        return otherwise;
    }

    private RegistryFact KeepStaleOr(string reference, RegistryFact otherwise, string reason) =>
        KeepStaleOr(reference, (RegistryFact?)otherwise, reason) ?? otherwise;

    private void EvictIfFull(DateTimeOffset now)
    {
        if (_entries.Count <= _options.MaxEntries || Interlocked.CompareExchange(ref _evicting, 1, 0) != 0)
        {
            return;
        }

        try
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.StaleUntil <= now)
                {
                    _entries.TryRemove(KeyValuePair.Create(key, entry));
                }
            }

            var target = Math.Max(0, _options.MaxEntries * 9 / 10);
            var excess = _entries.Count - target;
            if (excess <= 0)
            {
                return;
            }

            foreach (var (key, entry) in _entries.ToArray().OrderBy(e => e.Value.LastAccessTicks).Take(excess))
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    /// <summary>
    /// The facts one workload sees: a twin exists when any of its credentials can see it (the kubelet tries each),
    /// is unknown while any answer is still out, and is otherwise unreachable before missing.
    /// </summary>
    private sealed class ScopedFacts(RegistryFactCache cache, PullScope scope) : IRegistryFacts
    {
        public RegistryFact Lookup(string normalizedReference)
        {
            var queries = new List<RegistryQuery>(2);
            scope.AddQueries(normalizedReference, queries);
            return Best(queries);
        }

        public RegistryFact Lookup(Images.ImageReference image)
        {
            var queries = new List<RegistryQuery>(2);
            scope.AddQueries(image, queries);
            return Best(queries);
        }

        private RegistryFact Best(List<RegistryQuery> queries)
        {
            RegistryFact? unknown = null, unreachable = null, missing = null;
            foreach (var query in queries)
            {
                var fact = cache.Lookup(query);
                switch (fact.State)
                {
                    case RegistryFactState.Exists:
                        return fact;
                    case RegistryFactState.Unknown:
                        unknown ??= fact;
                        break;
                    case RegistryFactState.Unreachable:
                        unreachable ??= fact;
                        break;
                    default:
                        missing ??= fact;
                        break;
                }
            }

            return unknown ?? unreachable ?? missing ?? RegistryFact.Unknown;
        }
    }

    /// <summary>
    /// One cached answer. Immutable except the access stamp, which the hot path writes without a lock
    /// (a lost update only makes eviction slightly less exact).
    /// </summary>
    private sealed record Entry(RegistryFact Fact, DateTimeOffset ExpiresAt, DateTimeOffset StaleUntil, string? Reason, DateTimeOffset Created)
    {
        private long _lastAccessTicks = Created.UtcTicks;

        public long LastAccessTicks => Volatile.Read(ref _lastAccessTicks);

        public void Touch(DateTimeOffset now) => Volatile.Write(ref _lastAccessTicks, now.UtcTicks);
    }
}
