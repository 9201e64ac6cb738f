namespace AdmissionGuard.Evaluation;

/// <summary>A planned image change: <paramref name="Pointer"/> is the JSON Pointer of the image field.</summary>
public sealed record ImageRewrite(string Pointer, string From, string To, string PolicyId);
