namespace AdmissionGuard.Commands;

/// <summary>A small, strict option parser: unknown options are errors, not ignored.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public List<string> Positional { get; } = [];

    /// <param name="valued">Options that take a value (<c>--policies DIR</c>).</param>
    /// <param name="flags">Options without a value (<c>--apply</c>).</param>
    public static CommandLine Parse(IReadOnlyList<string> args, string[] valued, string[] flags, out string? error)
    {
        error = null;
        var line = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            if (Array.IndexOf(valued, arg) >= 0)
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                if (value is null)
                {
                    error = $"option {arg} needs a value";
                    return line;
                }

                line.Add(arg, value);
            }
            else if (Array.IndexOf(flags, arg) >= 0)
            {
                line.Add(arg, "true");
            }
            else if (arg.StartsWith('-') && arg != "-")
            {
                error = $"unknown option {arg}";
                return line;
            }
            else
            {
                line.Positional.Add(arg);
            }
        }

        return line;
    }

    public string? Value(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var list) ? list : [];

    public bool Has(string name) => values.ContainsKey(name);

    private void Add(string name, string value)
    {
        if (!values.TryGetValue(name, out var list))
        {
            values[name] = list = [];
        }

        list.Add(value);
    }
}
