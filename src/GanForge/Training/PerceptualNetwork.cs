using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.IO;
using GanForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// The fixed network whose feature maps a perceptual loss compares: VGG19 up to relu5_4 when objective.perceptual_network
/// names a safetensors file of its weights (SRGAN's φ5,4), else the dataset's evaluation network (its second block's
/// maps), because no ImageNet weights can be downloaded on every machine. Frozen and in inference mode.
/// </summary>
internal sealed class PerceptualNetwork : IDisposable
{
    private readonly nn.Module module;
    private readonly Func<Tensor, Tensor> maps;

    private PerceptualNetwork(nn.Module module, Func<Tensor, Tensor> maps, string description)
    {
        this.module = module;
        this.maps = maps;
        Description = description;
        module.eval();
        foreach (var p in module.parameters()) p.requires_grad = false;
    }

    public string Description { get; }

    public Tensor FeatureMaps(Tensor images) => maps(images);

    /// <exception cref="ConfigException">The VGG19 file is missing or does not hold VGG19's weights.</exception>
    public static PerceptualNetwork For(RunConfig config, ITrainingSet data, Device device)
    {
        if (config.Objective.PerceptualNetwork is { } path)
        {
            if (!File.Exists(path)) throw new ConfigException($"objective.perceptual_network '{path}' does not exist; give a safetensors file of VGG19's weights (torchvision's 'features.N' names).");
            var vgg = new Vgg19Features();
            Dictionary<string, Tensor> weights;
            using (var stream = File.OpenRead(path))
            {
                try
                {
                    (weights, _) = SafeTensors.Read(stream, path);
                }
                catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or KeyNotFoundException)
                {
                    vgg.Dispose();
                    throw new ConfigException($"objective.perceptual_network '{path}' is not a safetensors file: {e.Message}", e);
                }
            }
            // A full torchvision VGG19 file also holds the classifier; only features.* up to relu5_4 are used.
            var wanted = vgg.state_dict().Keys.ToHashSet();
            var problem = ModuleWeights.TryLoad(vgg, weights.Where(w => wanted.Contains(w.Key)).ToDictionary());
            foreach (var t in weights.Values) t.Dispose();
            if (problem is not null)
            {
                vgg.Dispose();
                throw new ConfigException($"objective.perceptual_network '{path}' does not hold VGG19's feature weights: {problem}.");
            }
            vgg.to(device);
            return new PerceptualNetwork(vgg, vgg.call, $"VGG19 relu5_4 from {path}");
        }
        var targets = data is TranslationSet pairs ? pairs.Targets : (ImageDataset)data;
        var network = EvaluationNetwork.GetOrTrain(targets, null, new DataCache());
        network.Classifier.to(device);
        return new PerceptualNetwork(network.Classifier, network.Classifier.FeatureMaps, network.Description);
    }

    public void Dispose() => module.Dispose();
}
