using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace GanForge.Configuration;

/// <summary>Which objectives a setting applies to; a setting of one family left away from its default in the other is refused.</summary>
public enum SettingScope
{
    All,
    Gan,
    Autoencoder,

    /// <summary>The image-to-image objectives (pix2pix, cyclegan, srgan, pixel).</summary>
    Translation,
}

/// <summary>
/// The declaration of one config key: what it means and its valid range. The key's type and default come from the
/// property itself; the CLI flag, help, README check and range validation are all derived from this one place.
/// </summary>
/// <param name="description">One sentence for help and docs.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string description) : Attribute
{
    public string Description { get; } = description;

    /// <summary>The CLI flag without dashes; null = the key's name in kebab case (<c>batch_size</c> → <c>--batch-size</c>).</summary>
    public string? Flag { get; set; }

    /// <summary>Valid values of a number as an interval, e.g. <c>(0, inf)</c>, <c>[0, 1)</c>, <c>[8, 1024]</c>; null = any.</summary>
    public string? Range { get; set; }

    public SettingScope Scope { get; set; }
}

/// <summary>One key of the run configuration (<c>section.name</c>, snake case as in config.json).</summary>
public sealed class ConfigKey
{
    private readonly PropertyInfo section;
    private readonly PropertyInfo property;
    private readonly SettingAttribute setting;
    private readonly NumberRange? range;

    internal ConfigKey(PropertyInfo section, PropertyInfo property, SettingAttribute setting)
    {
        this.section = section;
        this.property = property;
        this.setting = setting;
        Key = $"{JsonNamingPolicy.SnakeCaseLower.ConvertName(section.Name)}.{JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name)}";
        Flag = "--" + (setting.Flag ?? JsonNamingPolicy.KebabCaseLower.ConvertName(property.Name));
        var nullable = Nullable.GetUnderlyingType(property.PropertyType);
        Type = nullable ?? property.PropertyType;
        IsOptional = nullable is not null || new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;
        range = setting.Range is { } text ? NumberRange.Parse(text, Key) : null;
        Default = Get(new RunConfig());
    }

    public string Key { get; }
    public string Flag { get; }
    public string Description => setting.Description;
    public SettingScope Scope => setting.Scope;

    /// <summary>The value type (the underlying type of a nullable one).</summary>
    public Type Type { get; }

    /// <summary>Whether the key may be null (meaning "the model's own", "off", "automatic", …).</summary>
    public bool IsOptional { get; }

    public object? Default { get; }

    /// <summary>The names an enum key accepts (kebab case), else empty.</summary>
    public IReadOnlyList<string> Choices => Type.IsEnum ? [.. Enum.GetValues(Type).Cast<Enum>().Select(e => e.ToConfigName())] : [];

    public object? Get(RunConfig config) => property.GetValue(section.GetValue(config));

    /// <summary>A copy of <paramref name="config"/> with this key set to <paramref name="value"/> (of <see cref="Type"/>, or null when optional).</summary>
    public RunConfig With(RunConfig config, object? value)
    {
        var copy = Clone(config);
        var part = Clone(section.GetValue(config)!);
        property.SetValue(part, value);
        section.SetValue(copy, part);
        return copy;
    }

    private static T Clone<T>(T record) where T : notnull =>
        (T)record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;

    /// <summary>Parses a value as typed on a command line or in <c>--set key=value</c>.</summary>
    /// <exception cref="ConfigException">The text is not a value of this key's type.</exception>
    public object? Parse(string text)
    {
        text = text.Trim();
        if (IsOptional && text is "null" or "") return null;
        if (Type == typeof(string)) return text;
        if (Type == typeof(bool))
        {
            return bool.TryParse(text, out var flag) ? flag
                : throw new ConfigException($"{Key} is '{text}'; expected true or false.");
        }
        if (Type.IsEnum)
        {
            var index = Choices.ToList().IndexOf(text.ToLowerInvariant());
            return index >= 0 ? Enum.GetValues(Type).GetValue(index)
                : throw new ConfigException($"{Key} is '{text}'; expected one of {string.Join(", ", Choices)}.");
        }
        if (Type == typeof(int) || Type == typeof(long))
        {
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && (Type == typeof(long) || whole is >= int.MinValue and <= int.MaxValue)
                ? Convert.ChangeType(whole, Type, CultureInfo.InvariantCulture)
                : throw new ConfigException($"{Key} is '{text}'; expected a whole number.");
        }
        if (Type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : throw new ConfigException($"{Key} is '{text}'; expected a finite number.");
        }
        throw new InvalidOperationException($"Config key {Key} has type {Type.Name}, which the schema cannot parse.");
    }

    /// <summary>The value as config.json and help show it.</summary>
    public string Format(object? value) => value switch
    {
        null => "null",
        Enum e => e.ToConfigName(),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <exception cref="ConfigException">The key's value in <paramref name="config"/> is outside its declared range.</exception>
    public void CheckRange(RunConfig config)
    {
        if (range is not null && Get(config) is { } value) range.Check(Convert.ToDouble(value, CultureInfo.InvariantCulture), Key);
    }
}

public static class ConfigNames
{
    /// <summary>An enum value as config.json and the CLI spell it (<c>LeakyRelu</c> → <c>leaky-relu</c>).</summary>
    public static string ToConfigName(this Enum value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}

/// <summary>Every key of <see cref="RunConfig"/>, in declaration order, read once from the records' <see cref="SettingAttribute"/>s.</summary>
public static class ConfigSchema
{
    public static IReadOnlyList<ConfigKey> Keys { get; } = Read();

    private static List<ConfigKey> Read()
    {
        var keys = new List<ConfigKey>();
        foreach (var section in typeof(RunConfig).GetProperties().Where(p => p.CanWrite && p.PropertyType.Namespace == typeof(RunConfig).Namespace))
        {
            foreach (var property in section.PropertyType.GetProperties().Where(p => p.CanWrite))
            {
                var setting = property.GetCustomAttribute<SettingAttribute>()
                    ?? throw new InvalidOperationException($"{section.PropertyType.Name}.{property.Name} has no [Setting] declaration.");
                keys.Add(new ConfigKey(section, property, setting));
            }
        }
        return keys;
    }

    /// <summary>The first key of <paramref name="scope"/> whose value in <paramref name="config"/> is not its default, or null.</summary>
    public static ConfigKey? FirstChanged(RunConfig config, SettingScope scope, string? except = null) =>
        Keys.FirstOrDefault(k => k.Scope == scope && k.Key != except && !Equals(k.Get(config), k.Default));

    /// <exception cref="ConfigException">No such key; the message names the closest one.</exception>
    public static ConfigKey Find(string key) =>
        Keys.FirstOrDefault(k => k.Key == key)
        ?? throw new ConfigException($"'{key}' is not a config key{Suggestion(key, Keys.Select(k => k.Key))}.");

    /// <summary>", did you mean 'x'?" for the closest candidate within a few edits, else "".</summary>
    public static string Suggestion(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(name, c))).MinBy(c => c.Distance);
        return best.Candidate is not null && best.Distance <= Math.Max(2, name.Length / 3) ? $"; did you mean '{best.Candidate}'?" : "";
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}

/// <summary>An interval such as <c>(0, inf)</c> or <c>[0, 1)</c>, and the sentence that names a value outside it.</summary>
internal sealed record NumberRange(double Min, bool MinOpen, double Max, bool MaxOpen)
{
    public static NumberRange Parse(string text, string key)
    {
        var parts = text.Trim()[1..^1].Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || text.Trim()[0] is not ('(' or '[') || text.Trim()[^1] is not (')' or ']'))
            throw new InvalidOperationException($"Config key {key} declares range '{text}'; expected e.g. (0, inf) or [0, 1).");
        static double Bound(string s) => s == "inf" ? double.PositiveInfinity : double.Parse(s, CultureInfo.InvariantCulture);
        return new(Bound(parts[0]), text.Trim()[0] == '(', Bound(parts[1]), text.Trim()[^1] == ')');
    }

    public void Check(double value, string key)
    {
        var above = MinOpen ? value > Min : value >= Min;
        var below = double.IsPositiveInfinity(Max) ? double.IsFinite(value) : MaxOpen ? value < Max : value <= Max;
        if (above && below) return;
        var shown = value.ToString(CultureInfo.InvariantCulture);
        throw new ConfigException($"{key} is {shown}; expected {this}.");
    }

    public override string ToString() => (Min, MinOpen, double.IsPositiveInfinity(Max)) switch
    {
        (0, true, true) => "a positive value",
        (0, false, true) => "0 or a positive value",
        (_, false, true) => $"at least {Min.ToString(CultureInfo.InvariantCulture)}",
        _ => $"a value in {(MinOpen ? '(' : '[')}{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}{(MaxOpen ? ')' : ']')}",
    };
}
