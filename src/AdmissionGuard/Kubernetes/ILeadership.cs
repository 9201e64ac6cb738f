namespace AdmissionGuard.Kubernetes;

/// <summary>Whether this replica may write to the cluster (status, certificates), so replicas never fight.</summary>
internal interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>Raised with the new value whenever leadership is gained or lost.</summary>
    event Action<bool>? LeadershipChanged;
}
