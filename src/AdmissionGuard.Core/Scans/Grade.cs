namespace AdmissionGuard.Scans;

/// <summary>Scan grade, A (best) to F (worst); the numeric order is the quality order.</summary>
public enum Grade : byte
{
    A,
    B,
    C,
    D,
    E,
    F,
}
