namespace AdmissionGuard.Audit;

/// <summary>What one audit pass found in one namespace: its PolicyReport results and their summary.</summary>
internal sealed class NamespaceFindings(string ns)
{
    public string Namespace { get; } = ns;

    public List<ReportResult> Results { get; } = [];

    public ReportSummary Summary { get; } = new();

    public void Add(ReportResult result)
    {
        Results.Add(result);
        switch (result.Result)
        {
            case "pass": Summary.Pass++; break;
            case "fail": Summary.Fail++; break;
            case "warn": Summary.Warn++; break;
            case "skip": Summary.Skip++; break;
            default: Summary.Error++; break;
        }
    }

    public PolicyReport ToReport() => new()
    {
        Metadata = new ReportMeta { Namespace = Namespace },
        Summary = Summary,
        Results = Results,
    };
}
