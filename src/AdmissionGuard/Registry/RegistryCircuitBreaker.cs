namespace AdmissionGuard.Registry;

/// <summary>
/// Per-registry breaker: after <c>threshold</c> consecutive failures it opens, and for <c>coolDown</c>
/// every lookup on that registry answers Unreachable without I/O. Then one trial request is let through
/// (half-open); its success closes the breaker, its failure opens it again. Small and lock-based because
/// it is touched once per registry request, never on the admission hot path's read.
/// </summary>
internal sealed class RegistryCircuitBreaker
{
    private readonly int _threshold;
    private readonly TimeSpan _coolDown;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _consecutiveFailures;
    private DateTimeOffset? _openedAt;
    private bool _trialInFlight;

    public RegistryCircuitBreaker(int threshold, TimeSpan coolDown, TimeProvider time)
    {
        _threshold = Math.Max(1, threshold);
        _coolDown = coolDown;
        _time = time;
    }

    /// <summary>True while requests must not be sent (open, or half-open with the trial already out).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _openedAt is { } opened && (_time.GetUtcNow() - opened < _coolDown || _trialInFlight);
            }
        }
    }

    /// <summary>Asks to send one request; false while open. After the cool-down the first caller gets the trial.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_openedAt is not { } opened)
            {
                return true;
            }

            if (_time.GetUtcNow() - opened < _coolDown || _trialInFlight)
            {
                return false;
            }

            _trialInFlight = true;
            return true;
        }
    }

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _openedAt = null;
            _trialInFlight = false;
        }
    }

    public void RecordFailure()
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            if (_trialInFlight || _consecutiveFailures >= _threshold)
            {
                _openedAt = _time.GetUtcNow();
                _trialInFlight = false;
            }
        }
    }
}
