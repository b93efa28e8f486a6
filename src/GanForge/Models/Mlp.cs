using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>The classic fully connected GAN generator (Goodfellow et al. 2014): z → hidden → image, tanh output.</summary>
public sealed class MlpGenerator : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly LeakyReLU act1;
    private readonly Linear fc2;
    private readonly long[] imageShape;

    public MlpGenerator(int latentDim, int hidden, Data.ImageShape shape) : base(nameof(MlpGenerator))
    {
        var pixels = shape.Channels * shape.Height * shape.Width;
        fc1 = Linear(latentDim, hidden);
        act1 = LeakyReLU(0.2);
        fc2 = Linear(hidden, pixels);
        imageShape = [shape.Channels, shape.Height, shape.Width];
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = act1.call(fc1.call(z));          // (B, hidden)
        var x = fc2.call(h).tanh();               // (B, C·H·W)
        return x.view([z.shape[0], .. imageShape]); // (B, C, H, W)
    }
}

/// <summary>The classic fully connected GAN discriminator: image → hidden → one logit, with the selectable D options.</summary>
public sealed class MlpDiscriminator : Module<Tensor, Tensor>, IFeatureDiscriminator
{
    private readonly Module<Tensor, Tensor> fc1;
    private readonly Module<Tensor, Tensor> norm1;
    private readonly LeakyReLU act1;
    private readonly FastDropout drop;
    private readonly MinibatchStdDev? stddev;
    private readonly Module<Tensor, Tensor> fc2;

    public MlpDiscriminator(int hidden, Data.ImageShape shape, DiscriminatorOptions options) : base(nameof(MlpDiscriminator))
    {
        fc1 = Layers.Linear(options.InputChannels(shape) * shape.Height * shape.Width, hidden, options.Spectral);
        norm1 = Layers.Normalization1d(options.Norm, hidden);
        act1 = LeakyReLU(0.2);
        drop = new FastDropout(options.Dropout);
        if (options.MinibatchStdDev) stddev = new MinibatchStdDev();
        FeatureCount = hidden + (options.MinibatchStdDev ? 1 : 0);
        fc2 = Layers.Linear(FeatureCount, 1, options.Spectral);
        RegisterComponents();
    }

    public long FeatureCount { get; }

    public Tensor Features(Tensor x)
    {
        var h = drop.call(act1.call(norm1.call(fc1.call(x.flatten(1))))); // (B, hidden)
        return stddev is null ? h : stddev.call(h);            // (B, hidden [+1])
    }

    public Tensor Head(Tensor features) => fc2.call(features).squeeze(1); // (B) logits

    public override Tensor forward(Tensor x) => Head(Features(x));
}
