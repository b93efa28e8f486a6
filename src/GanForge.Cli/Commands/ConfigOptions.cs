using System.CommandLine;
using System.Text.RegularExpressions;
using GanForge.Configuration;
using GanForge.Models;
using GanForge.Objectives;

namespace GanForge.Cli.Commands;

/// <summary>
/// The train command's config options, derived from <see cref="ConfigSchema"/>: one <c>--kebab-case</c> flag per
/// config key, plus <c>--set section.key=value</c> for any key. Errors name a key by its flag unless the user wrote the
/// key itself (with --set, or in a config file: then only the flags typed beside it are named as flags).
/// </summary>
internal sealed class ConfigOptions
{
    /// <summary>Names that registries own, offered as choices in help and on the command line.</summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> RegistryChoices = new()
    {
        ["model.name"] = [.. ModelZoo.Models.Select(m => m.Name), .. ModelZoo.Translators.Select(m => m.Name)],
        ["objective.name"] = ObjectiveFactory.Names,
    };

    private readonly List<(ConfigKey Key, Option<string> Option)> options = [];
    private readonly Option<string[]> set = new("--set")
    {
        Description = "Set any config key, e.g. --set training.batch_size=128 (repeatable; applied after the flags).",
        HelpName = "key=value",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public ConfigOptions(Command command)
    {
        foreach (var key in ConfigSchema.Keys)
        {
            var choices = key.Choices.Count > 0 ? key.Choices : RegistryChoices.GetValueOrDefault(key.Key) ?? [];
            var option = new Option<string>(key.Flag) { Description = Describe(key, choices), HelpName = HelpName(key) };
            if (key.Type == typeof(bool)) option.Arity = ArgumentArity.ZeroOrOne; // --hflip alone means true
            if (choices.Count > 0) option.AcceptOnlyFromAmong([.. choices, .. key.IsOptional ? new[] { "null" } : []]);
            command.Add(option);
            options.Add((key, option));
        }
        command.Add(set);
    }

    private static string Describe(ConfigKey key, IReadOnlyList<string> choices)
    {
        var text = key.Description;
        if (choices.Count > 0) text += $" One of: {string.Join(", ", choices)}.";
        if (key.Default is { } value && !(value is string s && s.Length == 0)) text += $" [default: {key.Format(value)}]";
        return text + $" ({key.Key})";
    }

    private static string HelpName(ConfigKey key) =>
        key.Type == typeof(bool) ? "true|false" : key.Type == typeof(string) || key.Type.IsEnum ? "name" : key.Type == typeof(double) ? "number" : "N";

    /// <summary>
    /// The config with every flag the user gave and every --set applied, and the keys the user's messages should name
    /// by their flags: the flags typed when the config came from a file (whose keys the user wrote), else every key but
    /// those given with --set.
    /// </summary>
    public (RunConfig Config, IReadOnlySet<string> NamedByFlag) Apply(ParseResult parse, RunConfig config, bool fromFile)
    {
        var typed = new HashSet<string>();
        foreach (var (key, option) in options)
        {
            if (parse.GetResult(option) is not { Implicit: false } result) continue;
            var text = result.Tokens.Count == 0 ? "true" : parse.GetValue(option)!;
            typed.Add(key.Key);
            try
            {
                config = key.With(config, key.Parse(text));
            }
            catch (ConfigException e)
            {
                throw new ConfigException(InTermsOfFlags(e.Message, new HashSet<string> { key.Key }), e);
            }
        }
        var namedByFlag = fromFile ? typed : ConfigSchema.Keys.Select(k => k.Key).ToHashSet();
        foreach (var assignment in parse.GetValue(set) ?? [])
        {
            var equals = assignment.IndexOf('=');
            if (equals <= 0) throw new ConfigException($"--set takes section.key=value; got '{assignment}'.");
            var key = ConfigSchema.Find(assignment[..equals].Trim());
            config = key.With(config, key.Parse(assignment[(equals + 1)..]));
            namedByFlag.Remove(key.Key);
        }
        return (config, namedByFlag);
    }

    /// <summary>A library message in the user's terms: each config key in <paramref name="namedByFlag"/> is named by its flag.</summary>
    public static string InTermsOfFlags(string message, IReadOnlySet<string> namedByFlag)
    {
        foreach (var key in ConfigSchema.Keys.Where(k => namedByFlag.Contains(k.Key)))
            message = Regex.Replace(message, $@"(?<![\w.]){Regex.Escape(key.Key)}(?![\w])", key.Flag);
        return message;
    }
}
