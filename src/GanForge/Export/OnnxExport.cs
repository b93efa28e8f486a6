using System.Reflection;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.IO;
using GanForge.Models;
using GanForge.Objectives;
using GanForge.Sampling;
using GanForge.Training;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanForge.Export;

/// <summary>What an exported model is: a generator (z → image), an autoencoder's decoder (code → image) or its encoder (image → code).</summary>
public enum OnnxModelKind
{
    Generator,
    Decoder,
    Encoder,
}

/// <summary>
/// Exports a trained network to ONNX: the sampling weights (the moving average when there is one), BatchNorm in its
/// inference form, a dynamic batch dimension, and metadata (<c>metadata_props</c>) that an app needs to use it. The
/// graph is written layer by layer from the module's own parameters, one family at a time; a layer the exporter does
/// not know is refused by name rather than guessed.
/// </summary>
public static class OnnxExport
{
    /// <summary>Metadata keys every exported model carries.</summary>
    public static class Keys
    {
        public const string Kind = "kind";
        public const string Model = "model";
        public const string Objective = "objective";
        public const string Dataset = "dataset";
        public const string LatentDim = "latent_dim";
        public const string Classes = "classes";
        public const string Channels = "channels";
        public const string Height = "height";
        public const string Width = "width";
        public const string ValueRange = "value_range";
        public const string TrainingStep = "training_step";
        public const string SamplingWeights = "sampling_weights";
        public const string GanForgeVersion = "ganforge_version";
    }

    /// <summary>Input and output names of the graphs.</summary>
    public const string LatentInput = "z";
    public const string LabelInput = "label";
    public const string ImageInput = "image";
    public const string ImageOutput = "image";
    public const string PointsOutput = "points";
    public const string CodeOutput = "code";

    /// <summary>
    /// Writes the checkpoint's (or run's newest checkpoint's) generator — or, with <paramref name="encoder"/>, an
    /// autoencoder's encoder — to <paramref name="outputPath"/> as ONNX, atomically. Returns the metadata written.
    /// </summary>
    /// <exception cref="UsageException">An encoder was asked of a GAN, or a layer cannot be exported.</exception>
    public static IReadOnlyDictionary<string, string> Export(string checkpointOrRun, string outputPath, bool encoder = false)
    {
        var (model, metadata) = ExportModel(checkpointOrRun, encoder);
        AtomicFile.WriteAllBytes(outputPath, model.ToByteArray());
        return metadata;
    }

    /// <summary>The ONNX model of a checkpoint's (or run's newest checkpoint's) generator or encoder, in memory, with its metadata.</summary>
    /// <exception cref="UsageException">An encoder was asked of a GAN, or a layer cannot be exported.</exception>
    public static (ModelProto Model, IReadOnlyDictionary<string, string> Metadata) ExportModel(string checkpointOrRun, bool encoder = false)
    {
        var checkpoint = TrainedGenerator.ResolveCheckpoint(checkpointOrRun);
        var header = Checkpoint.ReadHeader(checkpoint);
        var config = header.Config;
        if (config.Data.Task != DataTask.None)
            throw new UsageException("checkpoint", $"Checkpoint '{checkpoint}' holds an image-to-image model ({config.Model.Name}); the exporter writes noise-to-image generators and autoencoders only, so run it with 'ganforge translate' or 'ganforge upscale'.");
        var autoencoder = ObjectiveFactory.IsAutoencoder(config.Objective);
        if (encoder && !autoencoder)
            throw new UsageException("encoder", $"Checkpoint '{checkpoint}' is a GAN ('{config.Objective.Name}'); only the autoencoders (ae, vae) have an encoder to export.");
        var kind = encoder ? OnnxModelKind.Encoder : autoencoder ? OnnxModelKind.Decoder : OnnxModelKind.Generator;
        using var scope = NewDisposeScope();
        using var module = encoder
            ? ModelZoo.CreateEncoder(config.Model, header.Shape, new AutoencoderObjective(config.Objective).EncoderOutputs(config.Model.LatentDim))
            : ModelZoo.CreateGenerator(config.Model, header.Shape);
        var averaged = false;
        if (encoder) Checkpoint.RestoreNetwork(checkpoint, "encoder", module);
        else averaged = Checkpoint.RestoreSamplingWeights(checkpoint, module);
        module.eval();
        var metadata = new Dictionary<string, string>
        {
            [Keys.Kind] = kind.ToConfigName(),
            [Keys.Model] = config.Model.Name,
            [Keys.Objective] = config.Objective.Name,
            [Keys.Dataset] = config.Data.Dataset,
            [Keys.LatentDim] = config.Model.LatentDim.ToString(),
            [Keys.Classes] = config.Model.ClassCount.ToString(),
            [Keys.Channels] = header.Shape.Channels.ToString(),
            [Keys.Height] = header.Shape.Height.ToString(),
            [Keys.Width] = header.Shape.Width.ToString(),
            [Keys.ValueRange] = "-1,1",
            [Keys.TrainingStep] = header.Position.Step.ToString(),
            [Keys.SamplingWeights] = encoder ? "encoder" : averaged ? "moving average (generator_ema)" : "generator",
            [Keys.GanForgeVersion] = Version,
        };
        var model = encoder ? Encoder(module, header.Shape, metadata) : Generator(module, header.Shape, config.Model.LatentDim, config.Model.ClassCount, metadata);
        return (model, metadata);
    }

    /// <summary>The graph of a generator made by <see cref="ModelZoo.CreateGenerator"/> (in eval mode): z (and a label per row when conditional) to images, or to 2-D points.</summary>
    public static ModelProto Generator(nn.Module generator, ImageShape shape, int latentDim, int classes, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new OnnxGraph();
        var z = graph.Input(LatentInput, TensorProto.Types.DataType.Float, -1, latentDim);
        var emitter = new Emitter(graph, shape);
        string output;
        if (generator is ConditionalGenerator conditional)
        {
            var label = graph.Input(LabelInput, TensorProto.Types.DataType.Int64, -1);
            var children = Children(conditional);
            var embedding = graph.Node("Gather", [graph.Weights("embed", ((Embedding)children["embed"]).weight!), label], [("axis", 0L)]);
            output = emitter.Emit(children["body"], graph.Node("Concat", [z, embedding], [("axis", 1L)]));
        }
        else
        {
            if (classes > 0) throw new ArgumentException("An unconditional generator module for a conditional config.", nameof(classes));
            output = emitter.Emit(generator, z);
        }
        if (generator is ToyGenerator || (generator is ConditionalGenerator c && Children(c)["body"] is ToyGenerator))
            graph.Output(output, PointsOutput, -1, shape.Channels * shape.Height * shape.Width);
        else
            graph.Output(output, ImageOutput, -1, shape.Channels, shape.Height, shape.Width);
        return graph.Model(metadata, Version);
    }

    /// <summary>The graph of an autoencoder's encoder: images (B, C, H, W) in [-1, 1] to codes (μ and log σ² side by side for a VAE).</summary>
    public static ModelProto Encoder(nn.Module encoder, ImageShape shape, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new OnnxGraph();
        var x = graph.Input(ImageInput, TensorProto.Types.DataType.Float, -1, shape.Channels, shape.Height, shape.Width);
        var code = new Emitter(graph, shape).Emit(encoder, x);
        var outputs = encoder.parameters().Last().shape[0];
        graph.Output(code, CodeOutput, -1, outputs);
        return graph.Model(metadata, Version);
    }

    private static string Version =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static Dictionary<string, nn.Module> Children(nn.Module module) => module.named_children().ToDictionary(c => c.name, c => c.module);

    /// <summary>Writes modules as ONNX nodes: the standard layers, and each GanForge family in the order its forward runs them.</summary>
    private sealed class Emitter(OnnxGraph graph, ImageShape shape)
    {
        public string Emit(nn.Module module, string x)
        {
            switch (module)
            {
                case Linear linear:
                    return graph.Node("Gemm", linear.bias is { } b ? [x, graph.Weights("fc", linear.weight!), graph.Weights("fc_bias", b)] : [x, graph.Weights("fc", linear.weight!)],
                        [("transB", 1L)]);
                case ConvTranspose2d up:
                    return Convolution("ConvTranspose", up.weight!, up.bias, x, up.kernel_size, up.stride, up.padding!, up.dilation, up.groups, up.output_padding);
                case Conv2d conv:
                    return Convolution("Conv", conv.weight!, conv.bias, x, conv.kernel_size, conv.stride, conv.padding!, conv.dilation, conv.groups, null);
                case BatchNorm1d bn:
                    return BatchNorm(bn.weight!, bn.bias!, bn.running_mean!, bn.running_var!, bn.eps, x);
                case BatchNorm2d bn:
                    return BatchNorm(bn.weight!, bn.bias!, bn.running_mean!, bn.running_var!, bn.eps, x);
                case LeakyReLU leaky:
                    return graph.Node("LeakyRelu", [x], [("alpha", leaky.negative_slope)]);
                case ReLU:
                    return graph.Node("Relu", [x]);
                case Tanh:
                    return graph.Node("Tanh", [x]);
                case Identity or FastDropout:
                    return x;
                case Sequential sequential:
                    return sequential.children().Aggregate(x, (h, child) => Emit(child, h));
                case ToyGenerator toy:
                    return Emit(Children(toy)["layers"], x);
                case MlpGenerator mlp:
                {
                    var c = Children(mlp);
                    var pixels = graph.Node("Tanh", [Emit(c["fc2"], Emit(c["act1"], Emit(c["fc1"], x)))]);               // (B, C·H·W)
                    return graph.Node("Reshape", [pixels, graph.Int64s("shape", -1, shape.Channels, shape.Height, shape.Width)]); // (B, C, H, W)
                }
                case Dcgan28Generator dcgan28:
                {
                    var c = Children(dcgan28);
                    var act = c["act"];
                    var h = Emit(act, Emit(c["bn0"], Emit(c["project"], x)));
                    var channels = ((Linear)c["project"]).out_features / 49;
                    h = graph.Node("Reshape", [h, graph.Int64s("shape", -1, channels, 7, 7)]);   // (B, 4ngf, 7, 7)
                    h = Emit(act, Emit(c["bn1"], Emit(c["up1"], h)));
                    h = Emit(act, Emit(c["bn2"], Emit(c["up2"], h)));
                    return graph.Node("Tanh", [Emit(c["up3"], h)]);
                }
                case DcganGenerator dcgan:
                {
                    var c = Children(dcgan);
                    var act = c["act"];
                    var stages = c.Keys.Count(k => k.StartsWith("bn", StringComparison.Ordinal));
                    var latent = ((ConvTranspose2d)c["up1"]).in_channels;
                    var h = graph.Node("Reshape", [x, graph.Int64s("shape", -1, latent, 1, 1)]);   // (B, z, 1, 1)
                    for (var i = 1; i <= stages; i++) h = Emit(act, Emit(c[$"bn{i}"], Emit(c[$"up{i}"], h)));
                    return graph.Node("Tanh", [Emit(c[$"up{stages + 1}"], h)]);
                }
                case MlpEncoder mlp:
                {
                    var c = Children(mlp);
                    return Emit(c["fc2"], Emit(c["act1"], Emit(c["fc1"], graph.Node("Flatten", [x], [("axis", 1L)]))));
                }
                case ConvEncoder conv:
                {
                    var c = Children(conv);
                    var h = Emit(c["act1"], Emit(c["conv1"], x));
                    h = Emit(c["act2"], Emit(c["bn2"], Emit(c["conv2"], h)));
                    return Emit(c["head"], graph.Node("Flatten", [h], [("axis", 1L)]));
                }
                default:
                    throw new UsageException("checkpoint", $"The layer {module.GetType().Name} cannot be exported to ONNX: the exporter does not know it.");
            }
        }

        private string Convolution(string op, Tensor weight, Tensor? bias, string x, long[] kernel, long[] stride, long[] padding, long[] dilation, long groups, long[]? outputPadding)
        {
            var inputs = bias is null ? new[] { x, graph.Weights("w", weight) } : [x, graph.Weights("w", weight), graph.Weights("b", bias)];
            List<(string, object)> attributes =
            [
                ("kernel_shape", kernel), ("strides", stride), ("pads", (long[])[.. padding, .. padding]), ("dilations", dilation), ("group", groups),
            ];
            if (outputPadding is not null) attributes.Add(("output_padding", outputPadding));
            return graph.Node(op, inputs, [.. attributes]);
        }

        private string BatchNorm(Tensor scale, Tensor shift, Tensor mean, Tensor variance, double eps, string x) =>
            graph.Node("BatchNormalization",
                [x, graph.Weights("bn_scale", scale), graph.Weights("bn_bias", shift), graph.Weights("bn_mean", mean), graph.Weights("bn_var", variance)],
                [("epsilon", eps)]);
    }
}
