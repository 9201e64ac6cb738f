using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary>Compiles <c>spec.rules.signatures</c>; every error names its field path.</summary>
internal static class SignatureRuleCompiler
{
    private const string Path = "spec.rules.signatures";

    /// <param name="policyNamespace">An ImagePolicy's namespace: its Secrets may only come from there.</param>
    public static SignatureRule? Compile(SignatureRuleSpec spec, string? policyNamespace, List<(string, string)> errors)
    {
        var before = errors.Count;
        var keys = new List<TrustedKey>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var specKeys = spec.Keys ?? [];
        if (specKeys.Count == 0)
        {
            errors.Add(($"{Path}.keys", "must list at least one key (publicKey or secretRef)"));
        }

        for (var i = 0; i < specKeys.Count; i++)
        {
            var at = $"{Path}.keys[{i}]";
            var key = specKeys[i];
            if (key is null)
            {
                errors.Add((at, "is empty: a key needs a name and a publicKey or secretRef"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add(($"{at}.name", "required: denial reasons name the keys"));
            }
            else if (!names.Add(key.Name))
            {
                errors.Add(($"{at}.name", $"duplicate key name \"{key.Name}\""));
            }

            if ((key.PublicKey is null) == (key.SecretRef is null))
            {
                errors.Add((at, "needs exactly one of publicKey or secretRef"));
                continue;
            }

            if (key.PublicKey is not null)
            {
                if (VerificationKey.TryParse(key.PublicKey, out var parsed, out var error))
                {
                    keys.Add(new TrustedKey(key.Name ?? "", parsed, null));
                }
                else
                {
                    errors.Add(($"{at}.publicKey", error));
                }

                continue;
            }

            var secret = key.SecretRef!;
            var ns = secret.Namespace ?? policyNamespace;
            if (string.IsNullOrWhiteSpace(ns))
            {
                errors.Add(($"{at}.secretRef.namespace", "required"));
            }
            else if (policyNamespace is not null && ns != policyNamespace)
            {
                errors.Add(($"{at}.secretRef.namespace", $"an ImagePolicy reads Secrets of its own namespace \"{policyNamespace}\" only"));
            }

            if (string.IsNullOrWhiteSpace(secret.Name))
            {
                errors.Add(($"{at}.secretRef.name", "required"));
            }

            if (string.IsNullOrWhiteSpace(secret.Key))
            {
                errors.Add(($"{at}.secretRef.key", "required: the Secret's data entry holding the PEM public key"));
            }

            keys.Add(new TrustedKey(key.Name ?? "", null, new SecretKeyReference(ns ?? "", secret.Name ?? "", secret.Key ?? "")));
        }

        var tlog = spec.TransparencyLog switch
        {
            null or "Ignore" => TransparencyLogMode.Ignore,
            "Require" => TransparencyLogMode.Require,
            _ => (TransparencyLogMode?)null,
        };
        if (tlog is null)
        {
            errors.Add(($"{Path}.transparencyLog", $"\"{spec.TransparencyLog}\" is not one of Ignore, Require"));
        }

        MappingTemplate? repository = null;
        if (spec.Repository is not null)
        {
            repository = MappingTemplate.Compile(spec.Repository, out var error);
            if (error is not null)
            {
                errors.Add(($"{Path}.repository", error));
            }
            else if (repository!.Uses("tag") || repository.Uses("repository"))
            {
                errors.Add(($"{Path}.repository", "names a repository: use {registry}, {path} or {name}, not {tag} or {repository}"));
            }
            else if (!ImageReferenceParser.TryParse(repository.ExpandAlways(Sample), out var expanded, out var parseError) || expanded.Tag is not null || expanded.Digest is not null)
            {
                errors.Add(($"{Path}.repository", $"\"{spec.Repository}\" does not expand to a repository ({parseError ?? "it has a tag or digest"})"));
            }
        }

        var attestations = new List<string>();
        var specAttestations = spec.Attestations ?? [];
        for (var i = 0; i < specAttestations.Count; i++)
        {
            if (specAttestations[i]?.PredicateType is not { Length: > 0 } predicateType || string.IsNullOrWhiteSpace(predicateType))
            {
                errors.Add(($"{Path}.attestations[{i}].predicateType", "required: an in-toto predicate type such as https://slsa.dev/provenance/v1"));
            }
            else
            {
                attestations.Add(predicateType);
            }
        }

        return errors.Count != before
            ? null
            : new SignatureRule(spec.Required ?? true, new SignatureRequirement(keys, tlog == TransparencyLogMode.Require), repository, [.. attestations]);
    }

    private static readonly ImageReference Sample = ImageReferenceParser.TryParse("registry.example.com/team/app:1", out var sample, out _)
        ? sample
        : throw new InvalidOperationException("sample reference");
}
