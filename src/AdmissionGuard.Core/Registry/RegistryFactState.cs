namespace AdmissionGuard.Registry;

public enum RegistryFactState
{
    /// <summary>Not asked yet, or the answer is not in yet.</summary>
    Unknown,
    Exists,
    Missing,
    /// <summary>The registry could not be asked (down, breaker open, auth refused).</summary>
    Unreachable,
}
