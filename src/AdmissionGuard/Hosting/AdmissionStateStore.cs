namespace AdmissionGuard.Hosting;

/// <summary>Holds the current <see cref="AdmissionState"/>: writers swap, readers read one volatile reference, no locks.</summary>
internal sealed class AdmissionStateStore
{
    private AdmissionState current = AdmissionState.NotLoaded;

    public AdmissionState Current => Volatile.Read(ref current);

    /// <summary>Raised after each swap (metrics, logs).</summary>
    public event Action<AdmissionState>? Swapped;

    public void Swap(AdmissionState next)
    {
        Volatile.Write(ref current, next);
        Swapped?.Invoke(next);
    }
}
