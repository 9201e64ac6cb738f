namespace AdmissionGuard.Hosting;

/// <summary>How long requests are still served after SIGTERM while <c>/readyz</c> fails (<c>--drain</c>).</summary>
internal sealed record DrainOptions(TimeSpan Period);
