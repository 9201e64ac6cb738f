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
    int Containers)
{
    /// <summary>For each policy with an exception in force, when the soonest of them ends (the exception-expiry gauge).</summary>
    public static IEnumerable<(string Policy, DateTimeOffset Expires)> SoonestByPolicy(Policies.PolicySnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var policy in snapshot.Policies)
        {
            DateTimeOffset? soonest = null;
            foreach (var exemption in policy.Exemptions)
            {
                if (exemption.Expires > now && (soonest is null || exemption.Expires < soonest))
                {
                    soonest = exemption.Expires;
                }
            }

            if (soonest is { } end)
            {
                yield return (policy.Id, end);
            }
        }
    }
}
