using System.CommandLine;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Commands;

/// <summary>The registry flags <c>serve</c> and <c>check --registry</c> share, so both ask registries the same way.</summary>
internal static class RegistryOptionsCli
{
    public static Option<string[]> InsecureRegistry() => new("--insecure-registry")
    {
        HelpName = "HOST[:PORT]",
        Description = "Speak plain HTTP to this registry (exact host[:port]); repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string[]> RegistryCa() => new("--registry-ca")
    {
        HelpName = "PEM",
        Description = "Trust the certificates in this PEM file for registries, besides the system store; repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string> DockerConfig() => new("--docker-config")
    {
        HelpName = "FILE",
        Description = "Registry credentials: a docker config.json or dockerconfigjson pull secret (default: anonymous).",
    };

    /// <summary>The flags' registry settings on top of <paramref name="defaults"/>; null with an error naming a missing file.</summary>
    public static RegistryOptions? From(ParseResult line, RegistryOptions defaults, out string? error)
    {
        error = null;
        var dockerConfig = line.Value("--docker-config");
        if (dockerConfig is not null && !File.Exists(dockerConfig))
        {
            error = $"--docker-config {dockerConfig}: no such file";
            return null;
        }

        foreach (var ca in line.Values("--registry-ca"))
        {
            if (!File.Exists(ca))
            {
                error = $"--registry-ca {ca}: no such file";
                return null;
            }
        }

        return defaults with
        {
            InsecureRegistries = line.Values("--insecure-registry"),
            CaBundleFiles = line.Values("--registry-ca"),
            DockerConfigPath = dockerConfig,
        };
    }
}
