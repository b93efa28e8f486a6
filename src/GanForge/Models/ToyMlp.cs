using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// Generator for 2-D point data (the mode-collapse toys of Unrolled GAN, VEEGAN and PacGAN): z → three ReLU
/// layers of <c>hidden</c> units → (x, y), linear output since the grid spans [-4, 4].
/// </summary>
public sealed class ToyGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public ToyGenerator(int latentDim, int hidden, int outputs) : base(nameof(ToyGenerator))
    {
        layers = Sequential(
            Linear(latentDim, hidden), ReLU(),
            Linear(hidden, hidden), ReLU(),
            Linear(hidden, hidden), ReLU(),
            Linear(hidden, outputs));
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => layers.call(z); // (B, 2)
}

/// <summary>Discriminator for 2-D points: two LeakyReLU layers of <c>hidden</c> units (optional dropout after each), then one logit; reads packed or label-extended inputs.</summary>
public sealed class ToyDiscriminator : Module<Tensor, Tensor>, IFeatureDiscriminator
{
    private readonly Module<Tensor, Tensor> fc1;
    private readonly Module<Tensor, Tensor> norm1;
    private readonly Module<Tensor, Tensor> fc2;
    private readonly Module<Tensor, Tensor> norm2;
    private readonly LeakyReLU act;
    private readonly FastDropout drop;
    private readonly MinibatchStdDev? stddev;
    private readonly Module<Tensor, Tensor> head;

    public ToyDiscriminator(int hidden, int inputs, DiscriminatorOptions options) : base(nameof(ToyDiscriminator))
    {
        fc1 = Layers.Linear(inputs, hidden, options.Spectral);
        norm1 = Layers.Normalization1d(options.Norm, hidden);
        fc2 = Layers.Linear(hidden, hidden, options.Spectral);
        norm2 = Layers.Normalization1d(options.Norm, hidden);
        act = LeakyReLU(0.2);
        drop = new FastDropout(options.Dropout);
        if (options.MinibatchStdDev) stddev = new MinibatchStdDev();
        FeatureCount = hidden + (options.MinibatchStdDev ? 1 : 0);
        head = Layers.Linear(FeatureCount, 1, options.Spectral);
        RegisterComponents();
    }

    public long FeatureCount { get; }

    public Tensor Features(Tensor x)
    {
        var h = drop.call(act.call(norm1.call(fc1.call(x.flatten(1))))); // (B, hidden)
        h = drop.call(act.call(norm2.call(fc2.call(h))));                 // (B, hidden)
        return stddev is null ? h : stddev.call(h);              // (B, hidden [+1])
    }

    public Tensor Head(Tensor features) => head.call(features).squeeze(1); // (B) logits

    public override Tensor forward(Tensor x) => Head(Features(x));
}
