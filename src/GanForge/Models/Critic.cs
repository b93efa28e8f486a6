using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>What a discriminator says about a batch: one logit (or critic value) per input, the features its last layer reads, and class logits when it has an auxiliary classifier.</summary>
public sealed record CriticOutput(Tensor Logits, Tensor Features, Tensor? ClassLogits = null);

/// <summary>Any discriminator as one function: images, with their labels for conditional models, to <see cref="CriticOutput"/>.</summary>
public interface ICritic
{
    CriticOutput Evaluate(Tensor images, Tensor? labels);
}

/// <summary>
/// An unconditional discriminator split before its last layer: <c>forward(x) = Head(Features(x))</c>. The split is
/// what feature matching, the projection discriminator and AC-GAN's classifier head build on.
/// </summary>
public interface IFeatureDiscriminator : ICritic
{
    /// <summary>Length of the feature vector <see cref="Features"/> returns.</summary>
    long FeatureCount { get; }

    /// <summary>(B, FeatureCount): the flattened input of the last layer.</summary>
    Tensor Features(Tensor x);

    /// <summary>(B) logits from features.</summary>
    Tensor Head(Tensor features);

    CriticOutput ICritic.Evaluate(Tensor images, Tensor? labels)
    {
        var features = Features(images);
        return new CriticOutput(Head(features), features);
    }
}

/// <summary>
/// Conditional generator (Mirza &amp; Osindero 2014): a learned label embedding concatenated to z, then any
/// unconditional generator body built for latent_dim + embedding size.
/// </summary>
public sealed class ConditionalGenerator : Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding embed;
    private readonly Module<Tensor, Tensor> body;

    public ConditionalGenerator(int classCount, int embedDim, Module<Tensor, Tensor> body) : base(nameof(ConditionalGenerator))
    {
        ClassCount = classCount;
        embed = Embedding(classCount, embedDim);
        this.body = body;
        RegisterComponents();
    }

    public int ClassCount { get; }

    public override Tensor forward(Tensor z, Tensor labels) => FromEmbedding(z, Embed(labels));

    /// <summary>The learned class embeddings (B, e) of labels (B).</summary>
    public Tensor Embed(Tensor labels) => embed.call(labels);

    /// <summary>Generates from z and any point of the embedding space, such as a blend of two classes' embeddings.</summary>
    public Tensor FromEmbedding(Tensor z, Tensor embedding) =>
        body.call(cat([z, embedding], 1));                      // (B, z + e) → image
}

/// <summary>
/// Conditional discriminator. <c>concat</c>: the label enters as K one-hot input channels (Mirza &amp; Osindero 2014).
/// <c>projection</c> (Miyato &amp; Koyama 2018): logit = head(φ(x)) + ⟨embed(y), φ(x)⟩.
/// </summary>
public sealed class ConditionalDiscriminator : Module<Tensor, Tensor, Tensor>, ICritic
{
    private readonly Module<Tensor, Tensor> body;
    private readonly TorchSharp.Modules.Embedding? embed;
    private readonly bool projection;

    /// <param name="body">For concat, built for channels + classCount inputs; for projection, for the plain input.</param>
    public ConditionalDiscriminator(int classCount, Module<Tensor, Tensor> body, bool projection) : base(nameof(ConditionalDiscriminator))
    {
        if (body is not IFeatureDiscriminator features) throw new ArgumentException("The body must expose its features.", nameof(body));
        ClassCount = classCount;
        this.body = body;
        this.projection = projection;
        if (projection) embed = Embedding(classCount, features.FeatureCount);
        RegisterComponents();
        if (embed is not null)
        {
            using var _ = no_grad();
            init.normal_(embed.weight!, 0, 0.02);
        }
    }

    public int ClassCount { get; }

    public override Tensor forward(Tensor x, Tensor labels) => Evaluate(x, labels).Logits;

    public CriticOutput Evaluate(Tensor images, Tensor? labels)
    {
        if (labels is null) throw new ArgumentException("A conditional discriminator needs labels.", nameof(labels));
        var split = (IFeatureDiscriminator)body;
        if (!projection)
            return split.Evaluate(WithLabelChannels(images, labels, ClassCount), null);
        var features = split.Features(images);                                         // (B, F)
        var logits = split.Head(features) + (embed!.call(labels) * features).sum(1);     // (B)
        return new CriticOutput(logits, features);
    }

    /// <summary>Appends the one-hot label as K constant channels (images) or K columns (vectors).</summary>
    internal static Tensor WithLabelChannels(Tensor x, Tensor labels, int classCount)
    {
        var onehot = functional.one_hot(labels, classCount).to_type(x.dtype);   // (B, K)
        if (x.dim() == 2) return cat([x, onehot], 1);
        var maps = onehot.view(x.shape[0], classCount, 1, 1).expand(-1, -1, x.shape[2], x.shape[3]);
        return cat([x, maps], 1);                                                  // (B, C + K, H, W)
    }
}

/// <summary>
/// AC-GAN's discriminator (Odena et al. 2017): an unconditional body with a second head that classifies the
/// input into K classes; the objective adds the class cross-entropy for real and fake images.
/// </summary>
public sealed class AuxiliaryClassifierDiscriminator : Module<Tensor, Tensor>, ICritic
{
    private readonly Module<Tensor, Tensor> body;
    private readonly Module<Tensor, Tensor> classifier;

    public AuxiliaryClassifierDiscriminator(int classCount, Module<Tensor, Tensor> body, bool spectral) : base(nameof(AuxiliaryClassifierDiscriminator))
    {
        if (body is not IFeatureDiscriminator features) throw new ArgumentException("The body must expose its features.", nameof(body));
        ClassCount = classCount;
        this.body = body;
        classifier = Layers.Linear(features.FeatureCount, classCount, spectral);
        RegisterComponents();
    }

    public int ClassCount { get; }

    public override Tensor forward(Tensor x) => body.call(x);

    public CriticOutput Evaluate(Tensor images, Tensor? labels)
    {
        var split = (IFeatureDiscriminator)body;
        var features = split.Features(images);
        return new CriticOutput(split.Head(features), features, classifier.call(features));   // (B), (B, F), (B, K)
    }
}
