using System.Text;

namespace AdmissionGuard.Evaluation;

/// <summary>
/// The one voice of every message line: the webhook's denial and warnings, <c>check</c>'s text, SARIF, JUnit and
/// decision records all write an image's problem through here, so they read the same everywhere.
/// </summary>
public static class MessageFormatter
{
    /// <summary><c>container "web": image "nginx:1.25" is not hardened</c>.</summary>
    public static string Violation(ImageSite site, string reason) => $"{site.Describe()}: image \"{site.Image}\" {reason}";

    /// <summary>A violation or warning line that names its policy: <c>... is not hardened (ClusterImagePolicy/prod)</c>.</summary>
    public static string Violation(ImageSite site, string reason, string policyId) => $"{Violation(site, reason)} ({policyId})";

    /// <summary>The line for a <see cref="Evaluation.Violation"/> of <paramref name="site"/>, with its policy.</summary>
    public static string Violation(ImageSite site, Violation violation) => Violation(site, violation.Reason, violation.PolicyId);

    /// <summary>A template image that the pod-time rewrite will replace.</summary>
    public static string WillBeReplaced(ImageSite site, string to) => $"{site.Describe()}: image \"{site.Image}\" will be replaced by \"{to}\"";

    /// <summary>The warning on every admission that an invalid, never compiled policy would have matched.</summary>
    public static string InvalidPolicy(string policyId, string firstError) => $"{policyId} is invalid and not enforced: {firstError}";

    /// <summary>The reason of an unparseable reference.</summary>
    public static string CannotBeParsed(string parseError) => $"cannot be parsed: {parseError}";

    /// <summary>The reason when a namespaceSelector cannot be checked.</summary>
    public static string NamespaceLabelsUnknown(string ns) => $"cannot be checked: the labels of namespace \"{ns}\" are not known";

    /// <summary>The hint after "is not hardened" when the hardened twin is known.</summary>
    public static string UseTwin(string twin) => $"; use \"{twin}\"";

    /// <summary>The hint after "is not hardened" when the twin would itself break another rule of the policy.</summary>
    public static string TwinFails(string twin, string reason, string? fix) =>
        fix is null ? $"; its hardened twin \"{twin}\" {reason}" : $"; its hardened twin \"{twin}\" {reason}: {fix}";

    /// <summary>The denial of one policy: a header, one line per offending image, and how to ask for an exception.</summary>
    public static void AppendDenial(StringBuilder message, string policyId, IEnumerable<(ImageSite Site, string Reason)> lines, IReadOnlyList<string> exceptionImages, string ns)
    {
        if (message.Length > 0)
        {
            message.Append('\n');
        }

        message.Append("images denied by ").Append(policyId).Append(':');
        foreach (var (site, reason) in lines)
        {
            message.Append("\n- ").Append(site.Describe()).Append(": image \"").Append(site.Image).Append("\" ").Append(reason);
        }

        if (exceptionImages.Count != 0)
        {
            message.Append("\nto request an exception, ask for an entry in spec.exceptions of ").Append(policyId)
                .Append(": {images: [").Append(string.Join(", ", exceptionImages.Select(i => $"\"{i}\""))).Append("], namespaces: [\"")
                .Append(ns).Append("\"], expires: <RFC 3339 time>, reason: <ticket>}");
        }
    }
}
