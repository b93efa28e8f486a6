using System.Diagnostics;
using GanForge.Configuration;
using GanForge.Data;
using GanForge.Export;
using GanForge.Models;
using GanForge.Runtime;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

/// <summary>Generation throughput of the same generator in TorchSharp and in ONNX Runtime (the exported graph), as NAME VALUE UNIT lines.</summary>
internal static class GenerationBenchmark
{
    /// <summary>Seconds each timed window runs for; the figure is the median window.</summary>
    private const double Window = 1.0;

    public static void Measure(int threads, int repeat)
    {
        TorchRuntime.SetThreads(threads);
        foreach (var name in new[] { new ModelConfig().Name, "dcgan28" })
        {
            manual_seed(0);
            var config = new ModelConfig { Name = name };
            var shape = new ImageShape(1, 28, 28);
            using var generator = ModelZoo.CreateGenerator(config, shape);
            generator.eval();
            var model = OnnxExport.Generator(generator, shape, config.LatentDim, 0, new Dictionary<string, string>()).ToByteArray();
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            using var session = new InferenceSession(model, options);
            foreach (var batch in new[] { 1, 64 })
            {
                using var scope = NewDisposeScope();
                var z = randn(batch, config.LatentDim);
                var input = new DenseTensor<float>(z.data<float>().ToArray(), [batch, config.LatentDim]);
                var torch = Median(repeat, () =>
                {
                    using var _ = no_grad();
                    using var step = NewDisposeScope();
                    ModelZoo.Generate(generator, z, null);
                }) * batch;
                var onnx = Median(repeat, () =>
                {
                    using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.LatentInput, input)]);
                }) * batch;
                var stem = $"generation.{name}.batch{batch}.threads{threads}";
                Console.WriteLine($"{stem}.torchsharp {torch:F0} img/s");
                Console.WriteLine($"{stem}.onnxruntime {onnx:F0} img/s");
                Console.WriteLine($"{stem}.onnx_vs_torchsharp {onnx / torch:F2} x");
            }
        }
    }

    /// <summary>Calls per second: the median of <paramref name="repeat"/> windows of about a second each, after a warm-up.</summary>
    private static double Median(int repeat, Action call)
    {
        for (var i = 0; i < 5; i++) call();
        return Enumerable.Range(0, repeat).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            var calls = 0;
            while (clock.Elapsed.TotalSeconds < Window)
            {
                call();
                calls++;
            }
            return calls / clock.Elapsed.TotalSeconds;
        }).Order().ElementAt(repeat / 2);
    }
}
