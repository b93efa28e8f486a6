using GanForge.Configuration;
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

        /// <summary>Reads and validates a config file (JSON as written to a run's config.json).</summary>
        /// <exception cref="ConfigException">The file is missing, not a config, or has an invalid value.</exception>
        public static RunConfig Load(string path)
        {
            if (!File.Exists(path)) throw new ConfigException($"Config file '{path}' does not exist.");
            return RunConfig.FromJson(File.ReadAllText(path), path).Validated();
        }
    }
}
