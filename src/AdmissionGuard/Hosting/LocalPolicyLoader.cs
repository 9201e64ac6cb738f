namespace AdmissionGuard.Hosting;

/// <summary>
/// Local mode: serves <see cref="LocalPolicyFolder"/>'s reads and reads again on change. What a reload finds wrong is
/// logged with the file and field path; the invalid file or object keeps its last good version.
/// </summary>
internal sealed class LocalPolicyLoader(LocalPolicyFolder folder, AdmissionStateStore store, ILogger<LocalPolicyLoader> logger) : BackgroundService
{
    /// <summary>Loads once, synchronously, so the server is ready before it listens.</summary>
    public void LoadNow() => Serve(folder.ReadNow());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(folder.Options.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                if (folder.ReadIfChanged() is { } read)
                {
                    Serve(read);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A reload that fails must never end the loop: an exception here would stop the whole host.
                logger.LogError(e, "reading policies failed, keeping the last good state: {Error}", e.Message);
            }
        }
    }

    private void Serve(FolderRead read)
    {
        foreach (var problem in read.Problems)
        {
            switch (problem.Kind)
            {
                case FolderProblemKind.File:
                    logger.LogError("policy file is invalid, keeping its last good version: {Error}", problem.Text);
                    break;
                case FolderProblemKind.Scan:
                    logger.LogError("scan is invalid and not used: {Error}", problem.Text);
                    break;
                default:
                    logger.LogError("policy is invalid, keeping its last good version if any: {Error}", problem.Text);
                    break;
            }
        }

        store.Swap(read.State);
        logger.LogInformation("loaded {Policies} policies, {Sources} hardened image sources, {Scans} scans from {Dir}", read.State.Snapshot.PolicyCount, read.State.Snapshot.SourceCount, read.State.Scans.Count, folder.Options.PoliciesDir);
    }
}
