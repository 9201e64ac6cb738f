using AdmissionGuard.Kubernetes;

namespace AdmissionGuard.Tests.Kubernetes;

internal sealed class TestLeadership(bool leader) : ILeadership
{
    private bool isLeader = leader;

    public event Action<bool>? LeadershipChanged;

    public bool IsLeader
    {
        get => Volatile.Read(ref isLeader);
        set
        {
            Volatile.Write(ref isLeader, value);
            LeadershipChanged?.Invoke(value);
        }
    }
}
