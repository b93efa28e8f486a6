using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>
/// VGG19's convolutional part (Simonyan &amp; Zisserman 2015, configuration E) up to relu5_4, with torchvision's module
/// numbering (<c>features.0.weight</c> … <c>features.34.bias</c>), so a safetensors file of torchvision's ImageNet
/// weights loads as it is. Its relu5_4 maps are SRGAN's φ5,4 (Ledig et al. 2017, §2.2.1). Images in [−1, 1] are
/// mapped to ImageNet's normalisation first; grey images are repeated to three channels.
/// </summary>
public sealed class Vgg19Features : Module<Tensor, Tensor>
{
    /// <summary>Channels of each convolution, 0 = a 2×2 max-pool: configuration E to the fifth block's last ReLU.</summary>
    private static readonly int[] Layout = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512];

    private readonly Sequential features;
    private readonly Tensor mean;
    private readonly Tensor std;

    public Vgg19Features() : base(nameof(Vgg19Features))
    {
        var modules = new List<Module<Tensor, Tensor>>();
        var channels = 3;
        foreach (var width in Layout)
        {
            if (width == 0)
            {
                modules.Add(MaxPool2d(2, 2));
                continue;
            }
            modules.Add(new Conv2dLayer(channels, width, 3, padding: 1));
            modules.Add(ReLU());
            channels = width;
        }
        features = Sequential(modules);
        mean = tensor(new[] { 0.485f, 0.456f, 0.406f }).view(1, 3, 1, 1);
        std = tensor(new[] { 0.229f, 0.224f, 0.225f }).view(1, 3, 1, 1);
        register_buffer("mean", mean, persistent: false);
        register_buffer("std", std, persistent: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        var x = images.shape[1] == 1 ? images.expand(-1, 3, -1, -1) : images;
        return features.call(((x + 1) / 2 - mean) / std); // (B, 512, H/16, W/16): relu5_4
    }
}
