namespace AdmissionGuard.Kubernetes;

/// <summary>A non-success answer of the API server (HTTP status, or the code of a watch ERROR event).</summary>
internal sealed class KubeApiException : Exception
{
    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KubeApiException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    public int StatusCode { get; }

    /// <summary>The <c>message</c> of the server's Status object (or its raw text), without our own prefix.</summary>
    public string? ServerMessage { get; init; }

    /// <summary>The resourceVersion is too old for the API server's watch cache: list again.</summary>
    public bool IsGone => StatusCode == 410;
}
