namespace AdmissionGuard.Caching;

/// <summary>
/// A fixed number of slots, each holding the last value remembered under a hash that falls into it: a cache for
/// values that repeat from request to request (the same images, names and labels in review after review), bounded in
/// memory whatever the input, read and written without locks. A slot is only ever replaced whole, so a reader sees
/// the old value or the new one; every hash that falls into a slot shares it, so the caller checks that what it gets
/// is what it asked for.
/// </summary>
internal sealed class RecentValues<T>
    where T : class
{
    private readonly T?[] slots;
    private readonly int mask;

    /// <param name="slotCount">A power of two.</param>
    public RecentValues(int slotCount)
    {
        if (slotCount <= 0 || (slotCount & (slotCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, "a power of two");
        }

        slots = new T?[slotCount];
        mask = slotCount - 1;
    }

    /// <summary>What was last remembered in the slot of <paramref name="hash"/>, under this hash or another; null when nothing was.</summary>
    public T? Recall(int hash) => Volatile.Read(ref slots[hash & mask]);

    /// <summary>Replaces whatever the slot of <paramref name="hash"/> held.</summary>
    public void Remember(int hash, T value) => Volatile.Write(ref slots[hash & mask], value);
}
