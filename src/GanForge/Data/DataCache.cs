namespace GanForge.Data;

/// <summary>
/// The user's data cache: imported datasets live in <c>ROOT/datasets/NAME/</c>. ROOT is
/// <c>$GANFORGE_DATA</c> when set, else the local application-data folder (<c>~/.local/share/ganforge</c> on Linux).
/// </summary>
public sealed class DataCache(string? root = null)
{
    public const string RootVariable = "GANFORGE_DATA";
    public const string ManifestName = "dataset.json";

    public string Root { get; } = Path.GetFullPath(root ?? DefaultRoot());

    public static string DefaultRoot() =>
        Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ganforge");

    public string DatasetDirectory(string name) => Path.Combine(Root, "datasets", name);

    public bool IsImported(KnownDataset dataset) => File.Exists(Path.Combine(DatasetDirectory(dataset.Name), ManifestName));
}
