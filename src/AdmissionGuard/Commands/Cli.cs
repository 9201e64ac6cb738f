using System.CommandLine;
using System.CommandLine.Parsing;

namespace AdmissionGuard.Commands;

/// <summary>
/// Parses and runs the <c>admissionguard</c> command tree (System.CommandLine) with the project's exit codes:
/// a parse error is bad input (2), named with the closest valid command or option, never System.CommandLine's exit 1.
/// </summary>
internal static class Cli
{
    public const int Ok = 0;
    public const int Denied = 1;
    public const int BadInput = 2;

    public static RootCommand Root(params Command[] commands)
    {
        var root = new RootCommand("admissionguard: image hygiene for Kubernetes (hardened images, registries, tags, scan grades)");
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Runs <paramref name="command"/> alone, as <c>admissionguard NAME args...</c> would (what tests call).</summary>
    public static Task<int> RunAsync(Command command, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var path = new List<string>();
        var top = command;
        for (var c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Insert(0, c.Name);
            top = c;
        }

        return InvokeAsync(Root(top), [.. path, .. args], stdout, stderr, cancellationToken);
    }

    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var result = root.Parse(args);
        if (result.Errors.Count != 0 && result.Action is not System.CommandLine.Help.HelpAction)
        {
            WriteErrors(result, stderr);
            return BadInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // serve drains on SIGTERM through the ASP.NET host; System.CommandLine would kill the process after 2 s.
            ProcessTerminationTimeout = null,
            // Every command reports its own failures in one line; a stack trace is never shown to a user.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or ArgumentException)
        {
            stderr.WriteLine($"{CommandPath(result.CommandResult)}: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>"admissionguard scan import": how messages and help name the command.</summary>
    public static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent)
        {
            names.Insert(0, c.Command is RootCommand ? "admissionguard" : c.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static void WriteErrors(ParseResult result, TextWriter stderr)
    {
        var command = result.CommandResult;
        var path = CommandPath(command);
        var unmatched = result.UnmatchedTokens;
        bool argumentShown = false, afterOption = false;
        foreach (var token in unmatched)
        {
            var isOption = token.StartsWith('-') && token != "-";
            // An unknown option's value, or the words after a stray word, are not more mistakes.
            if (isOption || !(argumentShown || afterOption))
            {
                stderr.WriteLine($"{path}: {Unknown(command.Command, token)}");
                argumentShown |= !isOption;
            }

            afterOption = isOption;
        }

        foreach (var error in result.Errors)
        {
            var aboutUnmatched = unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));
            var missingCommand = unmatched.Count != 0 && command.Command.Subcommands.Count != 0;
            if (!aboutUnmatched && !missingCommand)
            {
                stderr.WriteLine($"{path}: {error.Message}");
            }
        }

        stderr.WriteLine($"see '{path} --help'");
    }

    private static string Unknown(Command command, string token)
    {
        var isOption = token.StartsWith('-') && token != "-";
        var name = isOption && token.IndexOfAny(['=', ':']) is var cut and > 0 ? token[..cut] : token;
        var candidates = isOption
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        var closest = Closest(name, candidates);
        var what = isOption ? "unknown option" : command.Subcommands.Count != 0 ? "unknown command" : "unexpected argument";
        return closest is null || (!isOption && command.Subcommands.Count == 0)
            ? $"{what} \"{name}\""
            : $"{what} \"{name}\"; did you mean \"{closest}\"?";
    }

    /// <summary>The candidate nearest to <paramref name="name"/> (Levenshtein distance), for "did you mean".</summary>
    public static string? Closest(string name, IEnumerable<string> candidates) =>
        candidates.Distinct(StringComparer.Ordinal).MinBy(c => Distance(name, c));

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
