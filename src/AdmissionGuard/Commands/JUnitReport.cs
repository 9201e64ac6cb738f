using System.Globalization;
using System.Text;
using System.Xml;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Commands;

/// <summary>
/// The JUnit XML report of <c>check</c>, for Jenkins, GitLab and other CI test views: one test case per object,
/// failed when denied, skipped when its kind is not evaluated; warnings, rewrites and audit records go to system-out.
/// </summary>
internal static class JUnitReport
{
    public const string SuiteName = "admissionguard check";

    public static void Write(List<CheckResult> results, TextWriter output)
    {
        var failures = results.Count(r => !r.Verdict.Allowed);
        var skipped = results.Count(r => !r.Verdict.Evaluated);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            WriteCounts(xml, results.Count, failures, skipped);
            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", SuiteName);
            WriteCounts(xml, results.Count, failures, skipped);
            foreach (var result in results)
            {
                WriteTestCase(xml, result);
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteTestCase(XmlWriter xml, CheckResult result)
    {
        var verdict = result.Verdict;
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("classname", Clean(result.Manifest.Kind));
        xml.WriteAttributeString("name", Clean($"{result.Namespace}/{result.Manifest.Object.Metadata?.Name ?? "<unnamed>"}"));
        // Standard input is no file a CI server could link to.
        if (result.Manifest.Source != ManifestFiles.StdinOrigin)
        {
            xml.WriteAttributeString("file", Clean(result.Manifest.Source));
        }

        if (!verdict.Evaluated)
        {
            xml.WriteStartElement("skipped");
            xml.WriteAttributeString("message", Clean($"{result.Manifest.Kind} is not evaluated"));
            xml.WriteEndElement();
        }
        else if (!verdict.Allowed)
        {
            // CI views show the attribute as the one-line summary and the text as the detail: the summary has every
            // denying line, the text the whole denial as kubectl prints it, with how to ask for an exception.
            var denials = verdict.Images.SelectMany(i => i.Violations.Where(v => v.Mode == PolicyMode.Enforce)
                .Select(v => MessageFormatter.Violation(i.Site, v)));
            xml.WriteStartElement("failure");
            xml.WriteAttributeString("message", Clean(string.Join("; ", denials)));
            xml.WriteAttributeString("type", "denied");
            xml.WriteString(Clean(verdict.Message ?? ""));
            xml.WriteEndElement();
        }

        var notes = new List<string>();
        notes.AddRange(result.Rewrites.Select(r => $"rewrite: \"{r.From}\" -> \"{r.To}\" ({r.PolicyId})"));
        notes.AddRange(verdict.Warnings.Select(w => $"warning: {w}"));
        notes.AddRange(verdict.AuditAnnotations.Select(a => $"audit {a.Key}: {a.Value}"));
        if (notes.Count != 0)
        {
            xml.WriteElementString("system-out", Clean(string.Join('\n', notes)));
        }

        xml.WriteEndElement();
    }

    private static void WriteCounts(XmlWriter xml, int tests, int failures, int skipped)
    {
        xml.WriteAttributeString("tests", tests.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", skipped.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <paramref name="text"/> with every character XML 1.0 cannot hold, not even as a character reference (most C0
    /// controls, U+FFFE, U+FFFF, lone surrogates), written as <c>\uXXXX</c>. Image strings come from the manifest and
    /// may carry them; the developer still sees what is there and the document stays well-formed.
    /// </summary>
    public static string Clean(string text)
    {
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                clean?.Append(c);
                continue;
            }

            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                clean?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            clean ??= new StringBuilder(text.Length + 8).Append(text, 0, i);
            clean.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }

        return clean?.ToString() ?? text;
    }
}
