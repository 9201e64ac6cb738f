namespace AdmissionGuard.Adoption;

/// <summary>A policy exception that is still in force and ends soon.</summary>
/// <param name="Policy"><c>ClusterImagePolicy/name</c> or <c>ImagePolicy/namespace/name</c>.</param>
/// <param name="Namespaces">Empty: every namespace the policy matches.</param>
/// <param name="DaysLeft">Whole days from now to <paramref name="Expires"/>, rounded down.</param>
/// <param name="Containers">Containers among the judged workloads that this exception lets through now.</param>
public sealed record ExceptionExpiry(
    string Policy,
    IReadOnlyList<string> Images,
    IReadOnlyList<string> Namespaces,
    DateTimeOffset Expires,
    int DaysLeft,
    string Reason,
    int Containers);
