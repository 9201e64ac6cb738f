namespace AdmissionGuard.Fuzz;

/// <summary>Turns a broken property into an uncaught exception, the only thing afl-fuzz records as a crash.</summary>
internal static class FuzzFinding
{
    public static void Check([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition, string message, Exception? inner = null)
    {
        if (!condition)
        {
            throw new InvalidOperationException("fuzz finding: " + message, inner);
        }
    }
}
