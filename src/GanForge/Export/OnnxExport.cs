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
    Translator,
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
        public const string Task = "task";
        public const string Scale = "scale";
        public const string InputChannels = "input_channels";
    }

    /// <summary>Input and output names of the graphs.</summary>
    public const string LatentInput = "z";
    public const string LabelInput = "label";
    public const string ImageInput = "image";
    public const string ImageOutput = "image";
    public const string PointsOutput = "points";
    public const string CodeOutput = "code";
    public const string TranslatedOutput = "translated";

    /// <summary>
    /// Writes the checkpoint's (or run's newest checkpoint's) generator — or, with <paramref name="encoder"/>, an
    /// autoencoder's encoder — to <paramref name="outputPath"/> as ONNX, atomically. Returns the metadata written.
    /// </summary>
    /// <exception cref="UsageException">An encoder was asked of a GAN, or a layer cannot be exported.</exception>
    public static IReadOnlyDictionary<string, string> Export(string checkpointOrRun, string outputPath, bool encoder = false, Direction direction = Direction.AToB)
    {
        var (model, metadata) = ExportModel(checkpointOrRun, encoder, direction);
        AtomicFile.WriteAllBytes(outputPath, model.ToByteArray());
        return metadata;
    }

    /// <summary>The ONNX model of a checkpoint's (or run's newest checkpoint's) generator or encoder, in memory, with its metadata.</summary>
    /// <param name="direction">For a CycleGAN: b-to-a exports F, the generator that translates back.</param>
    /// <exception cref="UsageException">An encoder was asked of a GAN, b-to-a of anything but a CycleGAN, or a layer cannot be exported.</exception>
    public static (ModelProto Model, IReadOnlyDictionary<string, string> Metadata) ExportModel(string checkpointOrRun, bool encoder = false, Direction direction = Direction.AToB)
    {
        var checkpoint = TrainedGenerator.ResolveCheckpoint(checkpointOrRun);
        var header = Checkpoint.ReadHeader(checkpoint);
        var config = header.Config;
        if (config.Data.Task != DataTask.None)
        {
            if (encoder) throw new UsageException("encoder", $"Checkpoint '{checkpoint}' is an image-to-image model ('{config.Model.Name}'); only the autoencoders (ae, vae) have an encoder to export.");
            return ExportTranslator(checkpoint, header, direction);
        }
        if (direction == Direction.BToA)
            throw new UsageException("direction", $"Checkpoint '{checkpoint}' is a noise-to-image model; only a cyclegan run translates both ways.");
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

    /// <summary>A translator's graph and metadata; a CycleGAN exports G (a-to-b) or F (b-to-a).</summary>
    private static (ModelProto Model, IReadOnlyDictionary<string, string> Metadata) ExportTranslator(string checkpoint, CheckpointHeader header, Direction direction)
    {
        var config = header.Config;
        var reverse = direction == Direction.BToA;
        if (reverse && config.Objective.Name != "cyclegan")
            throw new UsageException("direction", $"Only a cyclegan run translates both ways; '{checkpoint}' was trained {config.Data.Direction.ToConfigName()} with {config.Objective.Name}.");
        var (input, output) = (Degradations.InputShape(config.Data, header.Shape), header.Shape);
        if (reverse) (input, output) = (output, input);
        var network = reverse ? "generator_ba" : "generator";
        using var scope = NewDisposeScope();
        using var module = ModelZoo.CreateTranslator(config.Model, input, output);
        Checkpoint.RestoreSamplingWeights(checkpoint, module, network);
        module.eval();
        var scale = output.Height / input.Height;
        var metadata = new Dictionary<string, string>
        {
            [Keys.Kind] = OnnxModelKind.Translator.ToConfigName(),
            [Keys.Model] = config.Model.Name,
            [Keys.Objective] = config.Objective.Name,
            [Keys.Dataset] = config.Data.Dataset,
            [Keys.Task] = config.Data.Task.ToConfigName(),
            [Keys.Scale] = scale.ToString(),
            [Keys.InputChannels] = input.Channels.ToString(),
            [Keys.LatentDim] = "0",
            [Keys.Classes] = "0",
            [Keys.Channels] = output.Channels.ToString(),
            [Keys.Height] = output.Height.ToString(),
            [Keys.Width] = output.Width.ToString(),
            [Keys.ValueRange] = "-1,1",
            [Keys.TrainingStep] = header.Position.Step.ToString(),
            [Keys.SamplingWeights] = reverse ? "generator_ba (b-to-a)" : "generator",
            [Keys.GanForgeVersion] = Version,
        };
        return (Translator(module, input, output.Channels, ModelZoo.InputUpscale(config.Model, config.Data), scale, metadata), metadata);
    }

    /// <summary>
    /// The graph of a translator made by <see cref="ModelZoo.CreateTranslator"/> (in eval mode): images (B, C_in, H, W)
    /// of any size to (B, C_out, s·H, s·W), with the bicubic enlargement of a model that upscales its input first.
    /// </summary>
    public static ModelProto Translator(nn.Module translator, ImageShape input, int outputChannels, int inputUpscale, int scale, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new OnnxGraph();
        var x = graph.Input(ImageInput, TensorProto.Types.DataType.Float, [-1L, (long)input.Channels, "height", "width"]);
        var emitter = new Emitter(graph, input);
        var output = emitter.Emit(translator, inputUpscale > 1 ? emitter.Bicubic(x, inputUpscale) : x);
        graph.Output(output, TranslatedOutput, [-1L, (long)outputChannels, scale == 1 ? "height" : "scaled_height", scale == 1 ? "width" : "scaled_width"]);
        return graph.Model(metadata, Version);
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
                case ConvTranspose2dLayer up:
                    return Convolution("ConvTranspose", up.Weight, up.Bias, x, up.Stride, up.Padding, up.OutputPadding);
                case Conv2dLayer conv:
                    return Convolution("Conv", conv.Weight, conv.Bias, x, conv.Stride, conv.Padding, null);
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
                case Identity or FastDropout or Dropout:
                    return x;
                case PReLU prelu:
                    return graph.Node("PRelu", [x, graph.Weights("slope", prelu.weight.view(-1, 1, 1))]);
                case PixelShuffle shuffle:
                    return graph.Node("DepthToSpace", [x], [("blocksize", shuffle.upscale_factor), ("mode", "CRD")]);
                case ReflectionPad2d pad:
                {
                    var (left, right, top, bottom) = (pad.padding[0], pad.padding[1], pad.padding[2], pad.padding[3]);
                    return graph.Node("Pad", [x, graph.Int64s("pads", 0, 0, top, left, 0, 0, bottom, right)], [("mode", "reflect")]);
                }
                case InstanceNorm2d norm when !norm.affine:
                {
                    var ones = Enumerable.Repeat(1f, (int)norm.num_features).ToArray();
                    return graph.Node("InstanceNormalization",
                        [x, graph.Floats("in_scale", ones, norm.num_features), graph.Floats("in_bias", new float[norm.num_features], norm.num_features)], [("epsilon", norm.eps)]);
                }
                case SrResNetGenerator sr:
                {
                    var c = Children(sr);
                    var stem = Emit(c["stem"], x);                                                             // (B, ngf, h, w)
                    var h = ((ModuleList<SrResidualBlock>)c["blocks"]).Aggregate(stem, (t, block) => Emit(block, t));
                    h = graph.Node("Add", [Emit(c["trunk"], h), stem]);                                       // (B, ngf, h, w)
                    return Output(x, Emit(c["head"], Emit(c["upsample"], h)), sr.Scale, sr.BicubicSkip);       // (B, C_out, s·h, s·w)
                }
                case RrdbGenerator rrdb:
                {
                    var c = Children(rrdb);
                    var stem = Emit(c["stem"], x);                                                             // (B, ngf, h, w)
                    var h = ((ModuleList<ResidualInResidualDenseBlock>)c["blocks"]).Aggregate(stem, (t, block) => Emit(block, t));
                    h = graph.Node("Add", [Emit(c["trunk"], h), stem]);                                       // (B, ngf, h, w)
                    foreach (var conv in (ModuleList<Conv2dLayer>)c["upsample"])                                   // (B, ngf, 2h, 2w) per stage
                    {
                        var doubled = graph.Node("Resize", [h, "", graph.Floats("scales", [1, 1, 2, 2], 4)],
                            [("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")]);
                        h = graph.Node("LeakyRelu", [Emit(conv, doubled)], [("alpha", RrdbGenerator.Slope)]);
                    }
                    return Output(x, Emit(c["head"], graph.Node("LeakyRelu", [Emit(c["refine"], h)], [("alpha", RrdbGenerator.Slope)])), rrdb.Scale, rrdb.BicubicSkip);
                }
                case ResidualInResidualDenseBlock:
                    return Residual(x, Emit(Children(module)["body"], x));
                case ResidualDenseBlock dense:
                {
                    var convs = ((ModuleList<Conv2dLayer>)Children(dense)["convs"]).ToList();
                    var features = new List<string> { x };
                    for (var i = 0; i < 4; i++)
                        features.Add(graph.Node("LeakyRelu", [Emit(convs[i], graph.Node("Concat", [.. features], [("axis", 1L)]))], [("alpha", RrdbGenerator.Slope)]));
                    return Residual(x, Emit(convs[4], graph.Node("Concat", [.. features], [("axis", 1L)])));
                }
                case SrResidualBlock or ResnetBlock:
                    return graph.Node("Add", [x, Emit(Children(module)["body"], x)]);
                case ResnetGenerator resnet:
                {
                    var c = Children(resnet);
                    var (padded, size) = PadToMultiple(x, 4);
                    var h = Emit(c["downsample"], Emit(c["stem"], padded));                                  // (B, 4ngf, H'/4, W'/4)
                    h = ((ModuleList<ResnetBlock>)c["blocks"]).Aggregate(h, (t, block) => Emit(block, t));
                    return Crop(Emit(c["head"], Emit(c["upsample"], h)), size);                               // (B, C_out, H, W)
                }
                case UNetGenerator unet:
                {
                    var c = Children(unet);
                    var down = ((ModuleList<nn.Module<Tensor, Tensor>>)c["down"]).ToList();
                    var up = ((ModuleList<nn.Module<Tensor, Tensor>>)c["up"]).ToList();
                    var (h, size) = PadToMultiple(x, 1 << unet.Depth);
                    var skips = new string[unet.Depth];
                    for (var i = 0; i < unet.Depth; i++) skips[i] = h = Emit(down[i], h);
                    h = Emit(up[^1], skips[^1]);
                    for (var i = unet.Depth - 2; i >= 0; i--) h = Emit(up[i], graph.Node("Concat", [skips[i], h], [("axis", 1L)]));
                    return Crop(h, size);                                                                     // (B, C_out, H, W)
                }
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
                    var latent = ((ConvTranspose2dLayer)c["up1"]).InChannels;
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

        /// <summary>
        /// The input padded at the bottom and right, by repeating its edge, to a multiple of <paramref name="multiple"/>
        /// (computed from its runtime shape, as <see cref="Layers.PadToMultiple"/> does); also its (H, W), to crop back to.
        /// </summary>
        private (string Padded, string Size) PadToMultiple(string x, int multiple)
        {
            var size = graph.Node("Slice", [graph.Node("Shape", [x]), graph.Int64s("start", 2), graph.Int64s("end", 4)]);   // [H, W]
            var m = graph.Int64s("multiple", multiple);
            var extra = graph.Node("Mod", [graph.Node("Sub", [m, graph.Node("Mod", [size, m])]), m]);                        // [bottom, right]
            var pads = graph.Node("Concat", [graph.Int64s("zeros", 0, 0, 0, 0, 0, 0), extra], [("axis", 0L)]);
            return (graph.Node("Pad", [x, pads], [("mode", "edge")]), size);
        }

        /// <summary>An SR head's output: tanh, or with a bicubic skip the clamped sum with the bicubic enlargement of the input.</summary>
        private string Output(string x, string head, int scale, bool bicubicSkip) =>
            bicubicSkip ? Clamp(graph.Node("Add", [scale == 1 ? x : Bicubic(x, scale), head])) : graph.Node("Tanh", [head]);

        /// <summary>PyTorch's bicubic enlargement (a = −0.75, half-pixel centres, edge values repeated), clamped as Degradations.Upscale.</summary>
        public string Bicubic(string x, int scale) =>
            Clamp(graph.Node("Resize", [x, "", graph.Floats("scales", [1, 1, scale, scale], 4)],
                [("mode", "cubic"), ("cubic_coeff_a", -0.75), ("coordinate_transformation_mode", "half_pixel"), ("exclude_outside", 0L)]));

        private string Clamp(string x) => graph.Node("Clip", [x, graph.Floats("min", [-1f]), graph.Floats("max", [1f])]);

        /// <summary>x + β·branch, ESRGAN's scaled residual.</summary>
        private string Residual(string x, string branch) =>
            graph.Node("Add", [x, graph.Node("Mul", [branch, graph.Floats("beta", [(float)ResidualInResidualDenseBlock.Beta])])]);

        /// <summary>The top-left (H, W) of an image, <paramref name="size"/> holding [H, W].</summary>
        private string Crop(string x, string size) =>
            graph.Node("Slice", [x, graph.Int64s("start", 0, 0), size, graph.Int64s("axes", 2, 3)]);

        /// <summary>A square convolution (or transposed one, with its output padding) as GanForge's layers compute it.</summary>
        private string Convolution(string op, Tensor weight, Tensor? bias, string x, long stride, long padding, long? outputPadding)
        {
            var inputs = bias is null ? new[] { x, graph.Weights("w", weight) } : [x, graph.Weights("w", weight), graph.Weights("b", bias)];
            List<(string, object)> attributes =
            [
                ("kernel_shape", (long[])[weight.shape[2], weight.shape[3]]), ("strides", (long[])[stride, stride]),
                ("pads", (long[])[padding, padding, padding, padding]), ("dilations", (long[])[1, 1]), ("group", 1L),
            ];
            if (outputPadding is { } extra) attributes.Add(("output_padding", (long[])[extra, extra]));
            return graph.Node(op, inputs, [.. attributes]);
        }

        private string BatchNorm(Tensor scale, Tensor shift, Tensor mean, Tensor variance, double eps, string x) =>
            graph.Node("BatchNormalization",
                [x, graph.Weights("bn_scale", scale), graph.Weights("bn_bias", shift), graph.Weights("bn_mean", mean), graph.Weights("bn_var", variance)],
                [("epsilon", eps)]);
    }
}
