using System.Globalization;

namespace Segmenter.Bench;

/// <summary>A mistake in how the command was called; its message is shown as it is, with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The whole argument parser: positionals, <c>--name value</c> / <c>--name=value</c> options and bare flags.
/// Anything not declared is refused, so a typo never silently falls back to a default.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> flags = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    /// <summary>
    /// Parses a command that takes options only (with --help): null when help was asked for (the usage is printed),
    /// a <see cref="UsageException"/> naming <paramref name="command"/> for a positional argument.
    /// </summary>
    public static CommandLine? ParseOptionsOnly(string command, IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string> flagOptions)
    {
        var cl = Parse(args, valueOptions, flagOptions.Append("--help"));
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return null; }
        if (cl.Positionals.Count > 0) throw new UsageException($"{command} takes no positional argument; got '{cl.Positionals[0]}'.");
        return cl;
    }

    public static CommandLine Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string> flagOptions)
    {
        var takesValue = valueOptions.ToHashSet(StringComparer.Ordinal);
        var isFlag = flagOptions.ToHashSet(StringComparer.Ordinal);
        var cl = new CommandLine();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                cl.Positionals.Add(arg);
                continue;
            }
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (eq > 0) (name, inline) = (arg[..eq], arg[(eq + 1)..]);

            if (isFlag.Contains(name))
            {
                if (inline is not null) throw new UsageException($"{name} takes no value.");
                cl.flags.Add(name);
            }
            else if (takesValue.Contains(name))
            {
                string? value = inline ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null);
                if (string.IsNullOrEmpty(value)) throw new UsageException($"{name} needs a value.");
                if (!cl.values.TryAdd(name, value)) throw new UsageException($"{name} is given more than once.");
            }
            else
            {
                throw new UsageException($"Unknown option '{name}'.");
            }
        }
        return cl;
    }

    public bool Flag(string name) => flags.Contains(name);

    public string? String(string name) => values.GetValueOrDefault(name);

    public int? Int(string name)
    {
        if (String(name) is not { } s) return null;
        return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new UsageException($"{name} expects a whole number; got '{s}'.");
    }

    public double? Double(string name)
    {
        if (String(name) is not { } s) return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new UsageException($"{name} expects a number (e.g. 0.001 or 1e-3); got '{s}'.");
    }

    public string Required(string name, string what) =>
        String(name) ?? throw new UsageException($"{name} {what} is required.");
}
