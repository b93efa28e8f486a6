using GanForge.Configuration;
using GanForge.Data;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Runtime;

namespace GanForge.Training;

/// <summary>
/// Where a run configuration is judged whole: the configuration layer checks its own values, then each registry
/// checks the names and combinations it owns. Composed here, above the registries, so none of them depends on another.
/// </summary>
public static class ConfigValidation
{
    extension(RunConfig config)
    {
        /// <summary>Checks every value's range and every name against its registry, naming the offending key.</summary>
        /// <exception cref="ConfigException">A value is out of range or unknown.</exception>
        public RunConfig Validated()
        {
            ModelZoo.Validate(config.Model);
            ObjectiveFactory.Validate(config);
            config.CheckValues();
            DiffAugment.ParsePolicy(config.Training.DiffAugment, "training.diff_augment");
            TorchRuntime.ParseDevice(config.Training.Device);
            return config;
        }

        /// <summary>
        /// Checks the config against the data it will train on and fills in what "automatic" settings resolve to on
        /// this machine and data (threads, the class count), so config.json records what ran.
        /// </summary>
        /// <exception cref="ConfigException">The model, batch or options do not fit the data.</exception>
        public RunConfig ResolvedFor(ITrainingSet data)
        {
            var images = Math.Min(data.Count, config.Data.Limit ?? int.MaxValue);
            if (images < config.Training.BatchSize && config.Data.CropSize is null) // patches repeat images to fill a batch
                throw new ConfigException($"training.batch_size is {config.Training.BatchSize} but dataset '{data.Name}' gives only {images} images; use a smaller batch.");
            if (ModelZoo.IsTranslator(config.Model.Name) != data is TranslationSet)
                throw new ConfigException(data is TranslationSet
                    ? $"Dataset '{data.Name}' is image-to-image (data.task); model.name '{config.Model.Name}' generates from noise."
                    : $"model.name '{config.Model.Name}' translates images; set data.task so that '{data.Name}' gives pairs.");
            if (data is TranslationSet && config.Output.EvalEvery > 0)
                throw new ConfigException("output.eval_every measures noise-to-image generators; measure a translator after training with 'ganforge eval' (PSNR, SSIM, FD and the baselines).");
            var forPoints = !ModelZoo.IsTranslator(config.Model.Name) && ModelZoo.Require(config.Model.Name).ForPoints;
            if (forPoints != data is ToyMixture)
                throw new ConfigException(forPoints
                    ? $"model.name '{config.Model.Name}' is for 2-D point data ({string.Join(", ", ToyMixture.Names)}), not '{data.Name}'."
                    : $"Dataset '{data.Name}' is 2-D points; use model.name 'mlp-toy'.");
            if (forPoints && (config.Data.Hflip || config.Data.RandomCrop || config.Training.DiffAugment.Length > 0))
                throw new ConfigException("data.hflip, data.random_crop and training.diff_augment transform images; 2-D point data has none.");
            if (forPoints && config.Output.EvalEvery > 0)
                throw new ConfigException("output.eval_every measures images; 2-D point runs are measured with 'ganforge bench modes'.");
            var resolved = config.Training.Threads == 0 ? config with { Training = config.Training with { Threads = Environment.ProcessorCount } } : config;
            if (config.Model.Conditioning == Conditioning.None) return resolved;
            if (data.ClassCount < 2)
                throw new ConfigException($"model.conditioning '{config.Model.Conditioning.ToConfigName()}' needs labelled data, but dataset '{data.Name}' has no labels.");
            if (config.Model.Classes is { } classes && classes != data.ClassCount)
                throw new ConfigException($"model.classes is {classes} but dataset '{data.Name}' has {data.ClassCount} classes.");
            return resolved with { Model = resolved.Model with { Classes = data.ClassCount } };
        }

        /// <summary>Reads and validates a config file (JSON as written to a run's config.json).</summary>
        /// <exception cref="ConfigException">The file is missing, not a config, or has an invalid value.</exception>
        public static RunConfig Load(string path)
        {
            if (!File.Exists(path)) throw new ConfigException($"Config file '{path}' does not exist.");
            return RunConfig.FromJson(File.ReadAllText(path), path).Validated();
        }
    }
}
