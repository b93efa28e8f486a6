using static TorchSharp.torch;

namespace GanForge.Data;

/// <summary>What <see cref="ToyMixture.Evaluate"/> measures on generated points.</summary>
/// <param name="ModesCaptured">Centres with at least one high-quality sample.</param>
/// <param name="HighQualityFraction">Share of samples within 3σ of their nearest centre.</param>
/// <param name="ReverseKl">KL(p ‖ uniform) of the high-quality samples' histogram over the centres, in nats (∞ without any).</param>
public sealed record ModeStats(int ModesCaptured, int ModeCount, double HighQualityFraction, double ReverseKl, int Samples);

/// <summary>
/// The 2-D mixtures of Gaussians that test mode collapse (Metz et al. 2017; Srivastava et al. 2017; Lin et al. 2018):
/// <c>ring8</c>, eight components at angles 2πk/8 on the unit circle with σ = 0.01, and <c>grid25</c>, centres
/// {−4, −2, 0, 2, 4}² with σ = 0.05. Batches are drawn afresh from torch's generator, so a seeded run is
/// reproducible and a resumed run continues the same stream. The component index is the label.
/// </summary>
public sealed class ToyMixture : ITrainingSet
{
    private ToyMixture(string name, double[,] centres, double sigma)
    {
        Name = name;
        Centres = centres;
        Sigma = sigma;
    }

    public static IReadOnlyList<string> Names { get; } = ["ring8", "grid25"];

    public string Name { get; }

    /// <summary>K × 2 component means.</summary>
    public double[,] Centres { get; }

    public double Sigma { get; }
    public int ModeCount => Centres.GetLength(0);
    public ImageShape Shape => new(2, 1, 1);
    public int Count => int.MaxValue;
    public int ClassCount => ModeCount;

    public static ToyMixture? TryGet(string name) => name switch
    {
        "ring8" => Ring(8, 1.0, 0.01),
        "grid25" => Grid(5, 2.0, 0.05),
        _ => null,
    };

    /// <summary>K components at angles 2πk/K (k = 0..K−1: linspace(0, 2π, K) would put two on the same point).</summary>
    private static ToyMixture Ring(int k, double radius, double sigma)
    {
        var centres = new double[k, 2];
        for (var i = 0; i < k; i++)
        {
            centres[i, 0] = radius * Math.Cos(2 * Math.PI * i / k);
            centres[i, 1] = radius * Math.Sin(2 * Math.PI * i / k);
        }
        return new ToyMixture($"ring{k}", centres, sigma);
    }

    private static ToyMixture Grid(int side, double spacing, double sigma)
    {
        var centres = new double[side * side, 2];
        var offset = (side - 1) / 2.0;
        for (var i = 0; i < side; i++)
        for (var j = 0; j < side; j++)
        {
            centres[i * side + j, 0] = (i - offset) * spacing;
            centres[i * side + j, 1] = (j - offset) * spacing;
        }
        return new ToyMixture($"grid{side * side}", centres, sigma);
    }

    /// <summary>n points (n, 2) and their component indices (n), from torch's global generator unless one is given.</summary>
    public (Tensor Points, Tensor Labels) Sample(long n, Device? device = null, Generator? generator = null)
    {
        var labels = randint(0, ModeCount, [n], dtype: ScalarType.Int64, generator: generator);
        using var centres = CentreTensor();
        var points = centres.index_select(0, labels) + Sigma * randn([n, 2], generator: generator);
        return (points.to(device ?? CPU), labels.to(device ?? CPU));
    }

    public Tensor CentreTensor() => tensor(Centres, ScalarType.Float32);

    public IBatchSource OpenBatches(int batchSize, int seed, ImageShape target, Device device, int? limit, RealImageAugmentation augmentation = default) =>
        augmentation.Any ? throw new ArgumentException("2-D points have no images to augment.", nameof(augmentation)) : new Stream(this, batchSize, device);

    /// <summary>
    /// The standard metric of the toy (PacGAN, §5.1): a sample is high quality when within 3σ of its nearest
    /// centre; a mode is captured when it has at least one high-quality sample.
    /// </summary>
    public ModeStats Evaluate(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var points = samples.detach().cpu().to_type(ScalarType.Float64).reshape(-1, 2);
        var centres = CentreTensor().to_type(ScalarType.Float64);
        var distances = cdist(points, centres);                        // (n, K)
        var (nearest, index) = distances.min(1);
        var good = nearest.le(3 * Sigma);
        var highQuality = index.masked_select(good);
        var counts = highQuality.numel() == 0 ? zeros(ModeCount, ScalarType.Float64) : bincount(highQuality, minlength: ModeCount).to_type(ScalarType.Float64);
        var captured = (int)counts.gt(0).sum().item<long>();
        var n = points.shape[0];
        var hq = highQuality.numel();
        double kl = double.PositiveInfinity;
        if (hq > 0)
        {
            var p = counts / hq;
            kl = (p * (p * ModeCount).log()).nan_to_num(0).sum().item<double>();
        }
        return new ModeStats(captured, ModeCount, (double)hq / n, kl, (int)n);
    }

    /// <summary>Fresh points every batch; "epochs" are blocks of 100 batches so the position bookkeeping stays uniform.</summary>
    private sealed class Stream(ToyMixture mixture, int batchSize, Device device) : IBatchSource
    {
        public int BatchSize => batchSize;
        public int BatchesPerEpoch => 100;
        public int Epoch { get; private set; }
        public int BatchInEpoch { get; private set; }

        public void Seek(int epoch, int batchInEpoch)
        {
            Epoch = epoch;
            BatchInEpoch = batchInEpoch;
        }

        public Batch Next()
        {
            if (++BatchInEpoch == BatchesPerEpoch)
            {
                BatchInEpoch = 0;
                Epoch++;
            }
            var (points, labels) = mixture.Sample(batchSize, device);
            return new(points, labels);
        }

        public void Dispose() { }
    }
}
