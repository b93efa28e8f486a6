using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;

namespace GanForge.Training;

/// <summary>A run's data as its config describes it: the dataset reference, and an image folder decoded at the model's size.</summary>
public static class RunData
{
    /// <summary>A run's training data, with an image folder decoded as its config says.</summary>
    public static ITrainingSet Load(RunConfig config, DataCache? cache = null, Action<string>? log = null) =>
        config.Data.Task == DataTask.None
            ? TrainingSets.Load(config.Data.Dataset, DataSplit.Train, cache, FolderOptions(config), log)
            : TranslationData.Load(config.Data, DataSplit.Train, FolderOptions(config), cache, log);

    /// <summary>How a run decodes an image folder: data.image_size, else the model's size, else 64; data.channels.</summary>
    public static ImageFolderOptions FolderOptions(RunConfig config) =>
        new(config.Data.ImageSize ?? ModelZoo.ImageSize(config.Model.Name) ?? ImageFolderOptions.DefaultSize, config.Data.Channels, config.Data.MaxMegapixels);
}
