namespace AdmissionGuard.Policies;

public enum RewriteTarget
{
    /// <summary>Rewrite Pods only; templates stay as written in Git.</summary>
    Pods,
    /// <summary>Rewrite workload pod templates too.</summary>
    Workloads,
}
