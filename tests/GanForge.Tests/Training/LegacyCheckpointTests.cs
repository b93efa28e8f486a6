using GanForge.Configuration;
using GanForge.IO;
using GanForge.Sampling;
using GanForge.Training;
using static TorchSharp.torch;

namespace GanForge.Tests.Training;

/// <summary>Checkpoints written before the loop became phases over named networks (Fixtures/checkpoints-v1) still sample and resume.</summary>
public sealed class LegacyCheckpointTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints-v1", name);

    [Theory]
    [InlineData("projection-dcgan28-small")]
    [InlineData("vae-mlp")]
    [InlineData("dcgan32")]
    [InlineData("dcgan64")]
    public void An_old_checkpoint_samples_the_same_bytes(string name)
    {
        using var generator = TrainedGenerator.Load(Fixture(name + ".ckpt"));
        var output = temp.File(name + ".npy");
        generator.WriteSamples(20, 3, output, null, null);

        Assert.Equal(File.ReadAllBytes(Fixture(name + ".seed3.npy")), File.ReadAllBytes(output));
        var labels = Fixture(name + ".seed3.labels.npy");
        Assert.Equal(File.Exists(labels), File.Exists(temp.File(name + ".labels.npy")));
        if (File.Exists(labels)) Assert.Equal(File.ReadAllBytes(labels), File.ReadAllBytes(temp.File(name + ".labels.npy")));
    }

    [Theory]
    [InlineData("projection-dcgan28-small", "discriminator")]
    [InlineData("vae-mlp", "encoder")]
    [InlineData("dcgan64", "discriminator")]
    public void An_old_checkpoint_resumes_every_network_and_optimizer(string name, string second)
    {
        var checkpoint = Fixture(name + ".ckpt");
        var header = Checkpoint.ReadHeader(checkpoint);
        var run = temp.File(name);
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllText(Path.Combine(run, "config.json"), header.Config.ToJson());
        File.Copy(checkpoint, Path.Combine(run, "checkpoints", $"step-{header.Position.Step:D6}.ckpt"));

        using var trainer = Trainer.Resume(run, c => RunData.Load(c));

        Assert.Equal(header.Position.Step, trainer.Step);
        Assert.Equal(["generator", second], trainer.Program.Networks.Select(n => n.Name));
        foreach (var network in new[] { "generator", second, "generator_ema" })
        {
            using var stream = new MemoryStream(ReadEntry(checkpoint, network + ".safetensors"));
            var (stored, _) = SafeTensors.Read(stream, network);
            var module = network == "generator_ema" ? trainer.Average("generator")! : trainer.Network(network);
            foreach (var (key, value) in module.state_dict())
                Assert.True(TensorAssert.Same(value, stored[key]), $"{network} {key} was not restored");
            foreach (var t in stored.Values) t.Dispose();
        }
    }

    private static byte[] ReadEntry(string zipPath, string entry)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(zipPath);
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
