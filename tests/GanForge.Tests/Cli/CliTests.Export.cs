using GanForge.Export;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GanForge.Tests.Cli;

public sealed partial class CliTests
{
    [Fact]
    public void Export_writes_a_model_onnx_runtime_runs_with_the_metadata_an_app_needs()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", "projection-dcgan28-small.ckpt");
        var path = temp.File("gan.onnx");
        var (exit, output, error) = Run("export", "-c", fixture, "-o", path);
        Assert.True(exit == 0, error);
        Assert.Contains("generator of dcgan28-small", output);

        using var session = new InferenceSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("generator", metadata[OnnxExport.Keys.Kind]);
        Assert.Equal("10", metadata[OnnxExport.Keys.Classes]);
        Assert.Equal("8", metadata[OnnxExport.Keys.LatentDim]);
        Assert.Equal("moving average (generator_ema)", metadata[OnnxExport.Keys.SamplingWeights]);
        Assert.Equal("-1,1", metadata[OnnxExport.Keys.ValueRange]);
        Assert.Equal(-1, session.InputMetadata[OnnxExport.LatentInput].Dimensions[0]); // a dynamic batch

        foreach (var batch in new[] { 1, 7 })
        {
            using var results = session.Run([
                NamedOnnxValue.CreateFromTensor(OnnxExport.LatentInput, new DenseTensor<float>(new float[batch * 8], [batch, 8])),
                NamedOnnxValue.CreateFromTensor(OnnxExport.LabelInput, new DenseTensor<long>(new long[batch], [batch])),
            ]);
            var image = results.Single().AsTensor<float>();
            Assert.Equal([batch, 1, 28, 28], image.Dimensions.ToArray());
            Assert.All(image, v => Assert.InRange(v, -1f, 1f));
        }
    }
}
