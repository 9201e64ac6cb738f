using System.Globalization;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Evaluation.Rules;
using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

/// <summary>
/// Validates policy objects and compiles them into an immutable <see cref="PolicySnapshot"/>. Every
/// error names its field path; an object with errors is reported in <see cref="PolicySnapshot.Errors"/>
/// and takes no part in evaluation.
/// </summary>
public static class PolicyCompiler
{
    public const string ApiVersion = "admissionguard.io/v1alpha1";

    private static readonly ImageGlob[] AllImages = [Glob("**")];

    public static PolicySnapshot Compile(IEnumerable<HardenedImageSource> sources, IEnumerable<ImagePolicy> policies)
    {
        var errors = new List<PolicyError>();
        var compiledSources = new Dictionary<string, CompiledSource>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var local = new List<(string Field, string Message)>();
            var name = source.Metadata?.Name;
            var compiled = CompileSource(source, local);
            if (string.IsNullOrEmpty(name))
            {
                local.Add(("metadata.name", "required"));
            }
            else if (compiledSources.ContainsKey(name))
            {
                local.Add(("metadata.name", "duplicate HardenedImageSource name"));
            }

            if (local.Count == 0 && compiled is not null)
            {
                compiledSources.Add(name!, compiled);
            }

            errors.AddRange(local.Select(e => new PolicyError(HardenedImageSource.KindName, null, name ?? "<unnamed>", e.Field, e.Message)));
        }

        var compiledPolicies = new List<CompiledPolicy>();
        var invalid = new List<InvalidPolicy>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var local = new List<(string Field, string Message)>();
            var compiled = CompilePolicy(policy, compiledSources, local, out var match);
            if (compiled is not null && !ids.Add(compiled.Id))
            {
                local.Add(("metadata.name", $"duplicate {compiled.Id}"));
            }

            var kind = policy.Kind ?? ImagePolicy.ClusterKind;
            var ns = kind == ImagePolicy.NamespacedKind ? policy.Metadata?.Namespace : null;
            var name = policy.Metadata?.Name ?? "<unnamed>";
            if (local.Count == 0 && compiled is not null)
            {
                compiledPolicies.Add(compiled);
            }
            else if (local.Count != 0)
            {
                var first = local[0];
                invalid.Add(new InvalidPolicy(ns is null ? $"{kind}/{name}" : $"{kind}/{ns}/{name}", ns, match, $"{first.Field}: {first.Message}"));
            }

            errors.AddRange(local.Select(e => new PolicyError(kind, ns, name, e.Field, e.Message)));
        }

        // Name order is the documented order in which rewriting policies are tried.
        compiledPolicies.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Id, b.Id);
        });

        // A duplicate shares its id with the policy that is enforced: that id is not "never compiled".
        invalid.RemoveAll(i => ids.Contains(i.Id) && compiledPolicies.Exists(p => p.Id == i.Id));
        return new PolicySnapshot([.. compiledPolicies], compiledSources, [.. errors], [.. invalid]);
    }

    /// <summary>The errors one HardenedImageSource gets on its own (the policy webhook's check).</summary>
    public static IReadOnlyList<PolicyError> Check(HardenedImageSource source) => Compile([source], []).Errors;

    /// <summary>
    /// The errors one policy gets when compiled against the sources of <paramref name="snapshot"/>, as at admission,
    /// except that a named source the snapshot lacks is not an error here but goes to <paramref name="pending"/>:
    /// it may be created a moment later (<c>kubectl apply -f dir/</c> goes in file order, and the watch lags), and it
    /// can be deleted later anyway, so its absence is a runtime condition, reported in the policy's status.
    /// </summary>
    public static IReadOnlyList<PolicyError> Check(ImagePolicy policy, PolicySnapshot snapshot, out IReadOnlyList<PolicyError> pending)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(snapshot);
        var kind = policy.Kind ?? ImagePolicy.ClusterKind;
        var ns = kind == ImagePolicy.NamespacedKind ? policy.Metadata?.Namespace : null;
        var name = policy.Metadata?.Name ?? "<unnamed>";
        var sources = new Dictionary<string, CompiledSource>(snapshot.Sources, StringComparer.Ordinal);
        var waiting = new List<PolicyError>();
        var names = policy.Spec?.Rules?.Hardened?.Sources ?? [];
        for (var i = 0; i < names.Count; i++)
        {
            var sourceName = names[i];
            if (!string.IsNullOrEmpty(sourceName) && !sources.ContainsKey(sourceName))
            {
                sources[sourceName] = new CompiledSource { Name = sourceName, Hardened = [], NotHardened = [], Mappings = [] };
                waiting.Add(new PolicyError(kind, ns, name, $"spec.rules.hardened.sources[{i}]",
                    $"HardenedImageSource \"{sourceName}\" does not exist or is invalid; until it is there, so is this policy"));
            }
        }

        var local = new List<(string Field, string Message)>();
        CompilePolicy(policy, sources, local, out _);
        pending = waiting;
        return [.. local.Select(e => new PolicyError(kind, ns, name, e.Field, e.Message))];
    }

    private static CompiledSource? CompileSource(HardenedImageSource source, List<(string, string)> errors)
    {
        CheckApiVersion(source.ApiVersion, errors);
        var spec = source.Spec;
        if (spec is null)
        {
            errors.Add(("spec", "required"));
            return null;
        }

        var hardened = Globs(spec.Hardened, "spec.hardened", errors);
        if (hardened.Length == 0)
        {
            errors.Add(("spec.hardened", "must list at least one pattern"));
        }

        var notHardened = Globs(spec.NotHardened, "spec.notHardened", errors);
        var mappings = new List<(ImageGlob, MappingTemplate)>();
        var specMappings = spec.Mappings ?? [];
        for (var i = 0; i < specMappings.Count; i++)
        {
            // "- " with nothing after it is a null item: an error, never a crash (found by fuzzing).
            var mapping = specMappings[i];
            if (mapping is null)
            {
                errors.Add(($"spec.mappings[{i}]", "is empty: a mapping needs from and to"));
                continue;
            }

            var from = GlobAt(mapping.From, $"spec.mappings[{i}].from", errors);
            var to = MappingTemplate.Compile(mapping.To, out var error);
            if (error is not null)
            {
                errors.Add(($"spec.mappings[{i}].to", error));
            }

            if (from is not null && to is not null)
            {
                mappings.Add((from, to));
            }
        }

        return new CompiledSource
        {
            Name = source.Metadata?.Name ?? "",
            Hardened = hardened,
            NotHardened = notHardened,
            Mappings = [.. mappings],
            VerifyExists = spec.VerifyExists ?? true,
        };
    }

    private static CompiledPolicy? CompilePolicy(ImagePolicy policy, Dictionary<string, CompiledSource> sources, List<(string, string)> errors, out CompiledMatch? compiledMatch)
    {
        compiledMatch = null;
        CheckApiVersion(policy.ApiVersion, errors);
        var kind = policy.Kind ?? ImagePolicy.ClusterKind;
        var name = policy.Metadata?.Name;
        var ns = kind == ImagePolicy.NamespacedKind ? policy.Metadata?.Namespace : null;
        if (kind is not (ImagePolicy.ClusterKind or ImagePolicy.NamespacedKind))
        {
            errors.Add(("kind", $"\"{kind}\" is not ClusterImagePolicy or ImagePolicy"));
        }

        if (string.IsNullOrEmpty(name))
        {
            errors.Add(("metadata.name", "required"));
        }

        if (kind == ImagePolicy.NamespacedKind && string.IsNullOrEmpty(ns))
        {
            errors.Add(("metadata.namespace", "required for an ImagePolicy (it applies only in its own namespace)"));
        }

        var spec = policy.Spec;
        if (spec is null)
        {
            errors.Add(("spec", "required"));
            return null;
        }

        var mode = Enum<PolicyMode>(spec.Mode, "spec.mode", PolicyMode.Enforce, errors);
        var match = spec.Match ?? new PolicyMatch();
        var matchErrors = new List<(string, string)>();
        var matchNamespace = kind == ImagePolicy.NamespacedKind ? ns ?? "" : null;
        var compiledMatchValue = new CompiledMatch
        {
            Namespace = matchNamespace,
            NamespaceSelector = CompiledSelector.Compile(match.NamespaceSelector, "spec.match.namespaceSelector", matchErrors),
            Namespaces = NameGlobs(match.Namespaces, "spec.match.namespaces", matchErrors),
            ExcludeNamespaces = NameGlobs(match.ExcludeNamespaces, "spec.match.excludeNamespaces", matchErrors),
            PodSelector = CompiledSelector.Compile(match.PodSelector, "spec.match.podSelector", matchErrors),
        };
        errors.AddRange(matchErrors);
        compiledMatch = matchErrors.Count == 0 ? compiledMatchValue : null;
        var include = spec.Images?.Include is { Count: > 0 } ? Globs(spec.Images.Include, "spec.images.include", errors) : AllImages;
        var exclude = Globs(spec.Images?.Exclude, "spec.images.exclude", errors);

        var rules = new List<IImageRule>();
        var policySources = Array.Empty<CompiledSource>();
        var specRules = spec.Rules;
        var hardenedSpec = specRules?.Hardened;
        if (hardenedSpec is not null)
        {
            policySources = ResolveSources(hardenedSpec.Sources, sources, errors);
            if (hardenedSpec.Required == true)
            {
                rules.Add(new HardenedRule(policySources));
            }
        }
        else
        {
            policySources = [.. sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
        }

        // Each rule kind compiles its own spec (field errors included) in its file under Evaluation/Rules; this only dispatches.
        var registries = specRules?.Registries;
        if (registries is not null)
        {
            var registryRule = RegistryRule.Compile(registries, errors);
            if (registryRule is not null)
            {
                rules.Add(registryRule);
            }
        }

        var tags = specRules?.Tags;
        if (tags is not null)
        {
            rules.Add(TagRule.Compile(tags, errors));
        }

        var scan = specRules?.Scan;
        if (scan is not null)
        {
            rules.Add(ScanRule.Compile(scan, errors));
        }

        var signatures = specRules?.Signatures;
        if (signatures is not null)
        {
            var signatureRule = Evaluation.Rules.Signatures.SignatureRuleCompiler.Compile(signatures, ns, errors);
            if (signatureRule is not null)
            {
                rules.Add(signatureRule);
            }
        }

        var rewrite = spec.Rewrite;
        var target = Enum<RewriteTarget>(rewrite?.Target, "spec.rewrite.target", RewriteTarget.Pods, errors);
        if (rewrite?.Enabled == true && policySources.Length == 0)
        {
            errors.Add(("spec.rewrite.enabled", "rewriting needs at least one HardenedImageSource with mappings"));
        }

        var exemptions = new List<CompiledExemption>();
        var specExceptions = spec.Exceptions ?? [];
        for (var i = 0; i < specExceptions.Count; i++)
        {
            var path = $"spec.exceptions[{i}]";
            var exception = specExceptions[i];
            if (exception is null)
            {
                errors.Add((path, "is empty: an exception needs images, expires and reason"));
                continue;
            }

            var images = Globs(exception.Images, $"{path}.images", errors);
            if (images.Length == 0)
            {
                errors.Add(($"{path}.images", "must list at least one pattern"));
            }

            var expires = DateTimeOffset.MinValue;
            if (string.IsNullOrEmpty(exception.Expires))
            {
                errors.Add(($"{path}.expires", "required: an exception must end"));
            }
            else if (!TryParseTimestamp(exception.Expires, out expires))
            {
                errors.Add(($"{path}.expires", $"\"{exception.Expires}\" is not an RFC 3339 time such as 2027-03-31T00:00:00Z"));
            }

            if (string.IsNullOrWhiteSpace(exception.Reason))
            {
                errors.Add(($"{path}.reason", "required: say why, it is shown in messages and reports"));
            }

            exemptions.Add(new CompiledExemption
            {
                Images = images,
                Namespaces = NameGlobs(exception.Namespaces, $"{path}.namespaces", errors),
                Expires = expires,
                Reason = exception.Reason ?? "",
            });
        }

        return new CompiledPolicy
        {
            Kind = kind,
            Name = name ?? "",
            Namespace = ns,
            Id = ns is null ? $"{kind}/{name}" : $"{kind}/{ns}/{name}",
            Mode = mode,
            Match = compiledMatchValue,
            Include = include,
            Exclude = exclude,
            Rules = [.. rules],
            Sources = policySources,
            RewriteEnabled = rewrite?.Enabled ?? false,
            PinDigest = rewrite?.PinDigest ?? false,
            VerifiesSignatures = rules.Exists(r => r is Evaluation.Rules.Signatures.SignatureRule),
            RewriteTarget = target,
            Exemptions = [.. exemptions],
        };
    }

    private static CompiledSource[] ResolveSources(List<string>? names, Dictionary<string, CompiledSource> sources, List<(string, string)> errors)
    {
        if (names is null || names.Count == 0)
        {
            errors.Add(("spec.rules.hardened.sources", "must name at least one HardenedImageSource"));
            return [];
        }

        var resolved = new List<CompiledSource>();
        for (var i = 0; i < names.Count; i++)
        {
            var source = names[i] is null ? null : sources.GetValueOrDefault(names[i]);
            if (source is not null)
            {
                resolved.Add(source);
            }
            else
            {
                errors.Add(($"spec.rules.hardened.sources[{i}]", $"HardenedImageSource \"{names[i]}\" does not exist or is invalid"));
            }
        }

        return [.. resolved];
    }

    internal static bool TryParseTimestamp(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out value) && (text.EndsWith('Z') || text.Length > 19 && (text[^6] is '+' or '-'));

    private static void CheckApiVersion(string? apiVersion, List<(string, string)> errors)
    {
        if (apiVersion is not null && apiVersion != ApiVersion)
        {
            errors.Add(("apiVersion", $"\"{apiVersion}\" is not {ApiVersion}"));
        }
    }

    /// <summary>An enum field in the CRD's exact case, with "did you mean"; <paramref name="fallback"/> (and an error) otherwise.</summary>
    internal static T Enum<T>(string? text, string field, T fallback, List<(string, string)> errors)
        where T : struct, Enum
    {
        if (text is null)
        {
            return fallback;
        }

        // Exact case, as the CRD enum: "enforce" is a mistake worth reporting, not guessing.
        foreach (var value in System.Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        var names = System.Enum.GetNames<T>();
        var near = Serialization.FieldErrors.DidYouMean(text, names);
        var hint = near is null ? "" : $"; did you mean \"{near}\"?";
        errors.Add((field, $"\"{text}\" is not one of {string.Join(", ", names)}{hint}"));
        return fallback;
    }

    private static ImageGlob[] Globs(List<string>? patterns, string field, List<(string, string)> errors)
    {
        if (patterns is null)
        {
            return [];
        }

        var globs = new List<ImageGlob>(patterns.Count);
        for (var i = 0; i < patterns.Count; i++)
        {
            var glob = GlobAt(patterns[i], $"{field}[{i}]", errors);
            if (glob is not null)
            {
                globs.Add(glob);
            }
        }

        return [.. globs];
    }

    private static ImageGlob? GlobAt(string? pattern, string field, List<(string, string)> errors)
    {
        if (ImageGlob.TryCompile(pattern, out var glob, out var error))
        {
            return glob;
        }

        errors.Add((field, error));
        return null;
    }

    private static NameGlob[] NameGlobs(List<string>? patterns, string field, List<(string, string)> errors)
    {
        if (patterns is null)
        {
            return [];
        }

        var globs = new List<NameGlob>();
        for (var i = 0; i < patterns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(patterns[i]) || patterns[i].Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '*' or '.')))
            {
                errors.Add(($"{field}[{i}]", $"\"{patterns[i]}\" is not a namespace name or glob"));
            }
            else
            {
                globs.Add(new NameGlob(patterns[i]));
            }
        }

        return [.. globs];
    }

    private static ImageGlob Glob(string pattern) =>
        ImageGlob.TryCompile(pattern, out var glob, out var error) ? glob : throw new InvalidOperationException(error);
}
