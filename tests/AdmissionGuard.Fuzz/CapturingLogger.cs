using AdmissionGuard.Webhooks;
using Microsoft.Extensions.Logging;

namespace AdmissionGuard.Fuzz;

/// <summary>Keeps the exception the handler logs when it fails closed, so a finding shows its stack.</summary>
internal sealed class CapturingLogger : ILogger<AdmissionHandler>
{
    public Exception? Last { get; set; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is not null)
        {
            Last = exception;
        }
    }
}
