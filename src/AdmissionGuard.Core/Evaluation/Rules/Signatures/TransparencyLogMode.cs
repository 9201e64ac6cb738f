namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary><c>transparencyLog</c>: Ignore, or Require a Rekor entry in the bundle, checked offline.</summary>
internal enum TransparencyLogMode
{
    Ignore,
    Require,
}
