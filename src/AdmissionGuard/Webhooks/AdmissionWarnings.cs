namespace AdmissionGuard.Webhooks;

/// <summary>
/// The warnings of an admission response, already cut to what kubectl shows well: each line under 120 characters,
/// all of them under 4096, then "N more warnings not shown".
/// </summary>
internal readonly struct AdmissionWarnings
{
    private const int MaxWarningLength = 119;
    private const int MaxWarningsTotal = 4000;

    private readonly List<string>? lines;

    private AdmissionWarnings(List<string> lines) => this.lines = lines;

    public static AdmissionWarnings None => default;

    public bool IsEmpty => lines is null;

    /// <summary>The lines as the response carries them; empty when there are none.</summary>
    public IReadOnlyList<string> Lines => lines ?? (IReadOnlyList<string>)[];

    /// <summary>Warnings written by the engine (or the policy checker), limited for kubectl.</summary>
    public static AdmissionWarnings From(IReadOnlyList<string> warnings)
    {
        if (warnings.Count == 0)
        {
            return None;
        }

        var limited = new List<string>(warnings.Count);
        var total = 0;
        foreach (var warning in warnings)
        {
            var text = warning.Length <= MaxWarningLength ? warning : warning[..(MaxWarningLength - 3)] + "...";
            if (total + text.Length > MaxWarningsTotal)
            {
                limited.Add($"{warnings.Count - limited.Count} more warnings not shown");
                break;
            }

            total += text.Length;
            limited.Add(text);
        }

        return new AdmissionWarnings(limited);
    }

    /// <summary>
    /// Warnings as they are, not cut: the policy webhook's pending references name objects a person must create,
    /// and it always did send them whole.
    /// </summary>
    public static AdmissionWarnings Unlimited(IEnumerable<string> warnings)
    {
        List<string> all = [.. warnings];
        return all.Count == 0 ? None : new AdmissionWarnings(all);
    }

    /// <summary>The list for the wire; null (no field) when there are none.</summary>
    internal List<string>? ToWire() => lines;
}
