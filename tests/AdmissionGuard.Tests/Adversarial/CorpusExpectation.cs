namespace AdmissionGuard.Tests.Adversarial;

/// <summary>A corpus case's <c>expected.yaml</c>: what the real server must answer, written from API.md.</summary>
public sealed class CorpusExpectation
{
    /// <summary><c>validate</c> (default) or <c>mutate</c>.</summary>
    public string Endpoint { get; set; } = "validate";

    public bool Allowed { get; set; }

    /// <summary>Fragments the denial's status.message must contain.</summary>
    public List<string> Message { get; set; } = [];

    /// <summary>Fragments that must each appear in some warning.</summary>
    public List<string> Warnings { get; set; } = [];

    /// <summary>For /mutate: JSON Pointer (into the object) to the image it must hold once the patch is applied; empty means no patch at all.</summary>
    public Dictionary<string, string>? Patched { get; set; }
}
