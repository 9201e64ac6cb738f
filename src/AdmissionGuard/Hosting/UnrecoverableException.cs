namespace AdmissionGuard.Hosting;

/// <summary>
/// A failure no restart can fix (the kubeconfig cannot be read, a setting is impossible): the supervisor ends the
/// process, non-zero, instead of restarting the loop.
/// </summary>
internal sealed class UnrecoverableException : Exception
{
    public UnrecoverableException()
    {
    }

    public UnrecoverableException(string message)
        : base(message)
    {
    }

    public UnrecoverableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
