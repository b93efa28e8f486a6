using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Evaluation;

/// <summary>
/// The per-dataset evaluation network: a small VGG-style CNN classifier whose penultimate layer (128-d, after
/// BatchNorm and ReLU) is the embedding every distance metric uses, as Inception-v3's pool3 is for FID.
/// Three conv blocks (32, 64, 128 channels; 3×3, BatchNorm, ReLU, 2×2 max-pool) and a 3×3 adaptive pool
/// make it work for any image size ≥ 8 pixels. Returns class logits.
/// </summary>
public sealed class EvaluationClassifier : Module<Tensor, Tensor>
{
    public const int FeatureCount = 128;

    private readonly Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d norm1;
    private readonly Models.Conv2dLayer conv2;
    private readonly BatchNorm2d norm2;
    private readonly Models.Conv2dLayer conv3;
    private readonly BatchNorm2d norm3;
    private readonly Linear fc;
    private readonly BatchNorm1d normFc;
    private readonly Dropout dropout;
    private readonly Linear head;

    public EvaluationClassifier(int channels, int classes) : base(nameof(EvaluationClassifier))
    {
        // Thin input: the perceptual loss of the translators back-propagates through this layer into G.
        conv1 = Models.Layers.Conv2d(channels, 32, 3, stride: 1, padding: 1, spectral: false, bias: false);
        norm1 = BatchNorm2d(32);
        conv2 = new Models.Conv2dLayer(32, 64, 3, padding: 1, bias: false);
        norm2 = BatchNorm2d(64);
        conv3 = new Models.Conv2dLayer(64, 128, 3, padding: 1, bias: false);
        norm3 = BatchNorm2d(128);
        fc = Linear(128 * 3 * 3, FeatureCount, hasBias: false);
        normFc = BatchNorm1d(FeatureCount);
        dropout = Dropout(0.3);
        head = Linear(FeatureCount, Math.Max(classes, 1));
        RegisterComponents();
    }

    /// <summary>The embedding (B, 128) of images (B, C, H, W) in [-1, 1].</summary>
    public Tensor Features(Tensor images)
    {
        var h = functional.max_pool2d(functional.relu(norm1.call(conv1.call(images))), [2, 2]);   // (B, 32, 14, 14)
        h = functional.max_pool2d(functional.relu(norm2.call(conv2.call(h))), [2, 2]);             // (B, 64, 7, 7)
        h = functional.max_pool2d(functional.relu(norm3.call(conv3.call(h))), [2, 2]);             // (B, 128, 3, 3)
        h = functional.adaptive_avg_pool2d(h, [3, 3]).flatten(1);                            // (B, 1152)
        return functional.relu(normFc.call(fc.call(h)));                                       // (B, 128)
    }

    /// <summary>
    /// The second block's feature maps (B, 64, H/2, W/2), after ReLU and before pooling: a VGG-style spatial layer, like
    /// the VGG22 maps of SRGAN's content loss, for images of any size.
    /// </summary>
    public Tensor FeatureMaps(Tensor images)
    {
        var h = functional.max_pool2d(functional.relu(norm1.call(conv1.call(images))), [2, 2]);   // (B, 32, H/2, W/2)
        return functional.relu(norm2.call(conv2.call(h)));                                       // (B, 64, H/2, W/2)
    }

    public override Tensor forward(Tensor images) => head.call(dropout.call(Features(images)));   // (B, K)

    /// <summary>Logits of an embedding from <see cref="Features"/>.</summary>
    public Tensor Classify(Tensor features) => head.call(features);
}
