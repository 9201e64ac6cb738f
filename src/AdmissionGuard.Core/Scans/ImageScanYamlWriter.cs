using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AdmissionGuard.Scans;

/// <summary>
/// Writes ImageScan objects as YAML through YamlDotNet's emitter events, so no reflection serializer is
/// involved (AOT-safe) and every string that YAML would read as another type is quoted.
/// </summary>
public static partial class ImageScanYamlWriter
{
    /// <summary>How <c>spec.scannedAt</c> is written: UTC, whole seconds (also what <c>scan import --apply</c> sends).</summary>
    public const string ScannedAtFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Writes one document (with a leading <c>---</c>).</summary>
    public static void Write(ImageScan scan, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(output);
        var emitter = new Emitter(output);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: false));
        emitter.Emit(new MappingStart());
        Pair(emitter, "apiVersion", scan.ApiVersion);
        Pair(emitter, "kind", scan.Kind);
        if (scan.Metadata is { } metadata)
        {
            Key(emitter, "metadata");
            emitter.Emit(new MappingStart());
            Pair(emitter, "name", metadata.Name);
            emitter.Emit(new MappingEnd());
        }

        if (scan.Spec is { } spec)
        {
            Key(emitter, "spec");
            emitter.Emit(new MappingStart());
            Pair(emitter, "image", spec.Image);
            Pair(emitter, "digest", spec.Digest);
            if (spec.Scanner is { } scanner)
            {
                Key(emitter, "scanner");
                emitter.Emit(new MappingStart());
                Pair(emitter, "name", scanner.Name);
                Pair(emitter, "version", scanner.Version);
                emitter.Emit(new MappingEnd());
            }

            Pair(emitter, "scannedAt", spec.ScannedAt?.UtcDateTime.ToString(ScannedAtFormat, CultureInfo.InvariantCulture));
            if (spec.Vulnerabilities is { } counts)
            {
                Key(emitter, "vulnerabilities");
                emitter.Emit(new MappingStart());
                Number(emitter, "critical", counts.Critical);
                Number(emitter, "high", counts.High);
                Number(emitter, "medium", counts.Medium);
                Number(emitter, "low", counts.Low);
                Number(emitter, "unknown", counts.Unknown);
                emitter.Emit(new MappingEnd());
            }

            if (spec.Fixable is { } fixable)
            {
                Key(emitter, "fixable");
                emitter.Emit(new MappingStart());
                Number(emitter, "critical", fixable.Critical);
                Number(emitter, "high", fixable.High);
                emitter.Emit(new MappingEnd());
            }

            if (spec.Os is { } os)
            {
                Key(emitter, "os");
                emitter.Emit(new MappingStart());
                Pair(emitter, "family", os.Family);
                Pair(emitter, "name", os.Name);
                Key(emitter, "eosl");
                emitter.Emit(new Scalar(null, null, os.Eosl ? "true" : "false", ScalarStyle.Plain, true, false));
                emitter.Emit(new MappingEnd());
            }

            Pair(emitter, "grade", spec.Grade);
            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void Key(Emitter emitter, string key) =>
        emitter.Emit(new Scalar(null, null, key, ScalarStyle.Plain, true, false));

    private static void Pair(Emitter emitter, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        Key(emitter, key);
        var plain = PlainSafe().IsMatch(value) && !LooksTyped(value);
        emitter.Emit(new Scalar(null, null, value, plain ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted, plain, !plain));
    }

    private static void Number(Emitter emitter, string key, int value)
    {
        Key(emitter, key);
        emitter.Emit(new Scalar(null, null, value.ToString(CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
    }

    // YAML 1.1 readers (kubectl among them) take these words as booleans or null.
    private static bool LooksTyped(string value) => value.ToUpperInvariant() is
        "Y" or "N" or "YES" or "NO" or "ON" or "OFF" or "TRUE" or "FALSE" or "NULL" or "~";

    // Starts with a letter and holds no character with a YAML meaning, so it cannot read as a number or date.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9._/@+-]*(:[A-Za-z0-9._/@+-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();
}
