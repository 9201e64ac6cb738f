namespace AdmissionGuard.Kubernetes;

/// <summary>Without <c>--leader-election-lease</c> this replica assumes it is the only one and always writes.</summary>
internal sealed class SoleReplica : ILeadership
{
    public bool IsLeader => true;

    public event Action<bool>? LeadershipChanged
    {
        add { }
        remove { }
    }
}
