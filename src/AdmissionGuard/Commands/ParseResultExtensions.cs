using System.CommandLine;
using System.CommandLine.Parsing;

namespace AdmissionGuard.Commands;

/// <summary>Option values by name, for settings records that validate several options together (serve's).</summary>
internal static class ParseResultExtensions
{
    /// <summary>The option's value, or null when it was not given and has no default.</summary>
    public static string? Value(this ParseResult result, string name) => result.GetValue<string>(name);

    /// <summary>Every value of a repeatable option, in order.</summary>
    public static IReadOnlyList<string> Values(this ParseResult result, string name) => result.GetValue<string[]>(name) ?? [];

    /// <summary>Whether the option was written on the command line (a default does not count).</summary>
    public static bool Has(this ParseResult result, string name) =>
        result.GetResult(name) is OptionResult { Implicit: false } option && (option.Option.ValueType != typeof(bool) || option.GetValueOrDefault<bool>());
}
