using GanForge.Configuration;
using GanForge.Data;
using GanForge.Export;
using GanForge.Models;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp.Modules;
using Tensor = TorchSharp.torch.Tensor;
using static TorchSharp.torch;

namespace GanForge.Tests.Export;

/// <summary>Every exportable network, at two widths, gives the same numbers in ONNX Runtime as in TorchSharp (max |difference| ≤ 1e-4).</summary>
public sealed class OnnxExportTests
{
    private const float Tolerance = 1e-4f;

    /// <summary>Every image and point model of the registry, plain and conditional, at two widths.</summary>
    public static TheoryData<string, string, int> Generators()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var model in ModelZoo.Models)
        foreach (var conditioning in new[] { "none", "concat" })
        foreach (var width in new[] { 2, 4 })
            data.Add(model.Name, conditioning, width);
        return data;
    }

    public static TheoryData<string, int> Autoencoders()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in ModelZoo.Models.Where(m => m.Encoder is not null))
        foreach (var width in new[] { 2, 4 })
            data.Add(model.Name, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public void A_generator_in_onnx_runtime_matches_torchsharp(string name, string conditioning, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(width);
        var spec = ModelZoo.Require(name);
        var config = new ModelConfig
        {
            Name = name, LatentDim = 6, Ngf = width, Ndf = width,
            Conditioning = Enum.Parse<Conditioning>(conditioning, ignoreCase: true), Classes = conditioning == "none" ? null : 3,
        };
        var shape = spec.ForPoints ? new ImageShape(2, 1, 1) : ModelZoo.ImageShapeFor(config, new ImageShape(3, 28, 28));
        using var generator = ModelZoo.CreateGenerator(config, shape);
        InferenceStatistics(generator);
        generator.eval();
        var z = randn(5, 6);
        var labels = config.ClassCount > 0 ? tensor(new long[] { 0, 2, 1, 1, 0 }) : null;
        Tensor expected;
        using (no_grad()) expected = ModelZoo.Generate(generator, z, labels);

        var model = OnnxExport.Generator(generator, shape, 6, config.ClassCount, new Dictionary<string, string> { ["model"] = name });
        List<NamedOnnxValue> inputs = [NamedOnnxValue.CreateFromTensor(OnnxExport.LatentInput, Dense(z))];
        if (labels is not null) inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxExport.LabelInput, new DenseTensor<long>(labels.data<long>().ToArray(), [5])));

        AssertClose(expected, Run(model, inputs));
    }

    [Theory]
    [MemberData(nameof(Autoencoders))]
    public void An_encoder_in_onnx_runtime_matches_torchsharp(string name, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(width);
        var shape = new ImageShape(1, 28, 28);
        using var encoder = ModelZoo.CreateEncoder(new ModelConfig { Name = name, Ndf = width, LatentDim = 4 }, shape, outputs: 8);
        InferenceStatistics(encoder);
        encoder.eval();
        var images = rand(3, 1, 28, 28) * 2 - 1;
        Tensor expected;
        using (no_grad()) expected = encoder.call(images);

        var model = OnnxExport.Encoder(encoder, shape, new Dictionary<string, string>());
        AssertClose(expected, Run(model, [NamedOnnxValue.CreateFromTensor(OnnxExport.ImageInput, Dense(images))]));
    }

    /// <summary>Every translator at two widths, on the task it would train for, fed two input sizes the graph was not built for (odd ones: the padding to a multiple is computed at run time).</summary>
    public static TheoryData<string, int, int, bool> Translators()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var name in ModelZoo.Translators.Select(t => t.Name))
        foreach (var ngf in new[] { 4, 8 })
        foreach (var scale in ModelZoo.RequireTranslator(name).Upscales ? new[] { 2, 4 } : [1, 4])
            data.Add(name, ngf, scale, false);
        data.Add("srresnet", 4, 4, true);
        data.Add("rrdb", 4, 2, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Translators))]
    public void Translators_give_torchsharps_output_in_onnx_runtime_at_any_input_size(string name, int ngf, int scale, bool bicubicSkip)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var data = scale == 1 ? new DataConfig { Task = DataTask.Colorize } : new DataConfig { Task = DataTask.SuperResolution, Scale = scale };
        if (bicubicSkip) data = data with { Task = DataTask.SuperResolution };
        var output = new ImageShape(3, 32, 32);
        var input = Degradations.InputShape(data, output);
        var model = new ModelConfig { Name = name, Ngf = ngf, Blocks = 2, BicubicSkip = bicubicSkip };
        using var translator = ModelZoo.CreateTranslator(model, input, output);
        InferenceStatistics(translator);
        translator.eval();
        var upscale = ModelZoo.InputUpscale(model, data);
        var onnx = OnnxExport.Translator(translator, input, output.Channels, upscale, scale, new Dictionary<string, string>());
        foreach (var (h, w) in new[] { (13, 10), (input.Height, input.Width + 3) })
        {
            var x = rand(2, input.Channels, h, w) * 2 - 1;
            using var _ = no_grad();
            var expected = ModelZoo.Translate(translator, x, upscale);
            AssertClose(expected, Run(onnx, [NamedOnnxValue.CreateFromTensor(OnnxExport.ImageInput, Dense(x))]));
        }
    }

    [Fact]
    public void A_layer_the_exporter_does_not_know_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(6, 4), nn.GELU());
        var error = Assert.Throws<UsageException>(() => OnnxExport.Generator(module, new ImageShape(4, 1, 1), 6, 0, new Dictionary<string, string>()));
        Assert.Contains("GELU cannot be exported to ONNX", error.Message);
    }

    /// <summary>Running statistics away from 0 and 1, so a BatchNorm exported in training form would show.</summary>
    private static void InferenceStatistics(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer) * 0.1);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer) + 0.5);
        }
    }

    private static DenseTensor<float> Dense(Tensor t) => new(t.contiguous().data<float>().ToArray(), [.. t.shape.Select(d => (int)d)]);

    private static float[] Run(global::Onnx.ModelProto model, IReadOnlyCollection<NamedOnnxValue> inputs)
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var results = session.Run(inputs);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static void AssertClose(Tensor expected, float[] actual)
    {
        var wanted = expected.contiguous().data<float>().ToArray();
        Assert.Equal(wanted.Length, actual.Length);
        var worst = wanted.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= Tolerance, $"max |ONNX Runtime − TorchSharp| = {worst:E2} > {Tolerance:E0}");
    }
}
