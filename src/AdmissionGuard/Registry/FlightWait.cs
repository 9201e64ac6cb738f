namespace AdmissionGuard.Registry;

/// <summary>How a wait for background lookups ended. Never an exception: a spent budget is the normal case.</summary>
internal enum FlightWait
{
    /// <summary>Every lookup answered (or there was nothing to wait for).</summary>
    Landed,

    /// <summary>The budget ran out first; the lookups go on in the background and the next admission sees them.</summary>
    BudgetSpent,

    /// <summary>The caller's token was canceled (the admission deadline or the client gave up).</summary>
    Canceled,
}
