using GanForge.Configuration;

namespace GanForge.Training;

/// <summary>A known-good combination of settings, with the paper it follows.</summary>
public sealed record Recipe(string Name, string Description, string Source, RunConfig Config);

/// <summary>
/// Named recipes for <c>ganforge train --recipe NAME</c>. Each is a full typed config (defaults elsewhere),
/// so options given on the command line still override it and config.json records what ran.
/// </summary>
public static class Recipes
{
    /// <summary>
    /// The run the recipes were built and measured from: an earlier default run (dcgan28-small, batch 64, Adam 2e-4 with
    /// β1 0.5, β2 0.999, 1,500 steps), pinned so that a new default run changes no recipe.
    /// </summary>
    private static readonly RunConfig Base = new()
    {
        Model = new ModelConfig { Name = "dcgan28-small" },
        Objective = new ObjectiveConfig { Name = "non-saturating" },
        Optimizer = new OptimizerConfig { LrG = 2e-4, LrD = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Schedule = Schedule.Constant },
        Training = new TrainingConfig { BatchSize = 64, Steps = 1500 },
        Output = new OutputConfig { SampleEvery = 250, CheckpointEvery = 500 },
    };

    private static readonly RunConfig StackedMnist = Base with
    {
        Data = Base.Data with { Dataset = "stacked-mnist" },
        Training = Base.Training with { Steps = 3000 },
        Output = Base.Output with { SampleEvery = 500, CheckpointEvery = 1000 },
    };

    /// <summary>
    /// The previous default run's settings (dcgan28-small-bn, non-saturating), pinned (a later default changes no recipe),
    /// for a 30-minute budget on 2 cores: 16,000 steps with an evaluation every 4,000 took 28–29 minutes on MNIST and
    /// Fashion-MNIST (README: Quality per CPU-minute).
    /// </summary>
    private static readonly RunConfig HalfHour = new()
    {
        Model = new ModelConfig { Name = "dcgan28-small-bn" },
        Objective = new ObjectiveConfig { Name = "non-saturating" },
        Optimizer = new OptimizerConfig { LrG = 8e-4, LrD = 8e-4, Beta1 = 0, Beta2 = 0.99, Schedule = Schedule.Constant },
        Training = new TrainingConfig { BatchSize = 128, Steps = 16000, GeneratorEmaDecay = 0.999 },
        Output = new OutputConfig { EvalEvery = 4000 },
    };

    /// <summary>Autoencoders train both networks together with Adam's usual 1e-3, and without EMA so the decoder matches the encoder.</summary>
    private static readonly RunConfig Autoencoder = Base with
    {
        Model = Base.Model with { LatentDim = 16 },
        Objective = Base.Objective with { Name = "vae" },
        Optimizer = Base.Optimizer with { LrG = 1e-3, LrD = 1e-3, Beta1 = 0.9 },
        Training = Base.Training with { BatchSize = 128, Steps = 3000, GeneratorEmaDecay = 0 },
        Output = Base.Output with { SampleEvery = 500, CheckpointEvery = 1000 },
    };

    private static readonly RunConfig MlpAutoencoder = Autoencoder with { Model = Autoencoder.Model with { Name = "mlp", LatentDim = 20, Ngf = 400, Ndf = 400 } };

    private static readonly RunConfig Toy = Base with
    {
        Data = Base.Data with { Dataset = "grid25" },
        Model = Base.Model with { Name = "mlp-toy", LatentDim = 2, Ngf = 256, Ndf = 256, Pack = 2 },
        Optimizer = Base.Optimizer with { LrG = 1e-3, LrD = 1e-3, Schedule = Schedule.Linear },
        Training = Base.Training with { BatchSize = 256, Steps = 10000, GeneratorEmaDecay = 0 },
        Output = Base.Output with { SampleEvery = 2500, CheckpointEvery = 10000, LogEvery = 100 },
    };

    /// <summary>
    /// The translators' shared start: Fashion-MNIST, no moving average (the papers sample the trained G), Adam β1 0.5,
    /// grids and checkpoints every 1,000 steps. Any image source works in place of the dataset (--data, --task).
    /// </summary>
    private static readonly RunConfig Translation = Base with
    {
        Data = Base.Data with { Dataset = "fashion-mnist" },
        Training = Base.Training with { BatchSize = 16, Steps = 4000, GeneratorEmaDecay = 0 },
        Output = Base.Output with { SampleEvery = 1000, CheckpointEvery = 1000 },
    };

    private static readonly RunConfig SuperResolution = Translation with
    {
        Data = Translation.Data with { Task = DataTask.SuperResolution, Scale = 4 },
        Model = Translation.Model with { Name = "srresnet", Ngf = 32, Blocks = 8 },
        Optimizer = Translation.Optimizer with { LrG = 1e-4, LrD = 1e-4, Beta1 = 0.9 },
    };

    public static IReadOnlyList<Recipe> All { get; } =
    [
        new("dcgan", "DCGAN: non-saturating loss, Adam 2e-4 β1 0.5, batch 128, ReLU G, BatchNorm in G and D, no EMA",
            "Radford et al. 2016, §4",
            Base with
            {
                Model = Base.Model with { Name = "dcgan28", GeneratorActivation = GeneratorActivation.Relu, DiscriminatorDropout = 0, DNorm = Normalization.Batch },
                Training = Base.Training with { BatchSize = 128, GeneratorEmaDecay = 0 },
            }),
        new("wgan", "WGAN: Wasserstein loss, weight clipping c = 0.01, RMSprop 5e-5, n_critic 5, batch 64",
            "Arjovsky et al. 2017, Algorithm 1",
            Base with
            {
                Model = Base.Model with { Name = "dcgan28", DiscriminatorDropout = 0, DNorm = Normalization.Batch },
                Objective = Base.Objective with { Name = "wgan" },
                Optimizer = Base.Optimizer with { Name = OptimizerKind.Rmsprop, LrG = 5e-5, LrD = 5e-5 },
                Training = Base.Training with { DStepsPerGStep = 5 },
            }),
        new("wgan-gp", "WGAN-GP: gradient penalty λ = 10 (α per example), Adam 1e-4 β (0.5, 0.9), n_critic 5, layer norm in the critic",
            "Gulrajani et al. 2017, Algorithm 1",
            Base with
            {
                Model = Base.Model with { Name = "dcgan28", DiscriminatorDropout = 0, DNorm = Normalization.Layer },
                Objective = Base.Objective with { Name = "wgan-gp" },
                Optimizer = Base.Optimizer with { LrG = 1e-4, LrD = 1e-4, Beta1 = 0.5, Beta2 = 0.9 },
                Training = Base.Training with { DStepsPerGStep = 5 },
            }),
        new("lsgan", "LSGAN: least-squares loss (a = 0, b = c = 1), Adam 2e-4 β1 0.5, BatchNorm in D",
            "Mao et al. 2017, §3.2",
            Base with
            {
                Model = Base.Model with { Name = "dcgan28", DiscriminatorDropout = 0, DNorm = Normalization.Batch },
                Objective = Base.Objective with { Name = "lsgan" },
            }),
        new("sngan-hinge", "SNGAN: spectral norm in every D layer, hinge loss, Adam 2e-4 β (0, 0.9), n_dis 5",
            "Miyato et al. 2018, Table 1 (setting of the CIFAR hinge runs)",
            Base with
            {
                Model = Base.Model with { Name = "dcgan28", DiscriminatorDropout = 0, SpectralNorm = true },
                Objective = Base.Objective with { Name = "hinge" },
                Optimizer = Base.Optimizer with { Beta1 = 0, Beta2 = 0.9 },
                Training = Base.Training with { DStepsPerGStep = 5 },
            }),
        new("cgan", "Conditional GAN: label embedding into G, projection discriminator, on dcgan28-small (the first default model)",
            "Mirza & Osindero 2014; Miyato & Koyama 2018",
            Base with { Model = Base.Model with { Conditioning = Conditioning.Projection } }),
        new("acgan", "AC-GAN: label embedding into G, auxiliary classifier head on D, class loss weight 1",
            "Odena et al. 2017",
            Base with { Model = Base.Model with { Conditioning = Conditioning.Acgan } }),
        new("stacked-dcgan", "Stacked MNIST (1,000 modes) with dcgan28-small (the first default model): the DCGAN baseline of PacGAN's Table 2 on 28×28×3 digit triples",
            "Lin et al. 2018 (PacGAN), §5.2, VEEGAN setting; model and budget are this project's default run",
            StackedMnist),
        new("stacked-pacdcgan2", "Stacked MNIST with PacGAN2: the stacked-dcgan recipe with a discriminator that judges pairs of samples",
            "Lin et al. 2018 (PacGAN), §5.2, Table 2 (PacDCGAN2)",
            StackedMnist with { Model = StackedMnist.Model with { Pack = 2 } }),
        new("stacked-dcgan32", "The colour benchmark: Stacked MNIST as 32×32 RGB (three digits as channels) with dcgan32 at half width (ngf = ndf = 32), 2,000 steps",
            "Lin et al. 2018 (PacGAN), §5.2 data; DCGAN layout at 32×32 (Radford et al. 2016)",
            StackedMnist with { Model = StackedMnist.Model with { Name = "dcgan32", Ngf = 32, Ndf = 32 }, Training = StackedMnist.Training with { Steps = 2000 } }),
        new("mnist-30min", "The previous default run's settings for 30 minutes on 2 cores: 16,000 steps on the imported MNIST (dcgan28-small-bn, non-saturating, batch 128, Adam 8e-4 β (0, 0.99), BatchNorm in D, EMA of G), evaluated every 4,000",
            "this project's default run, searched side by side (README: The default run, and why); Adam β as in Karras et al. 2020",
            HalfHour with { Data = HalfHour.Data with { Dataset = "mnist" } }),
        new("fashion-30min", "The mnist-30min recipe on the imported Fashion-MNIST",
            "this project's default run (README: Quality per CPU-minute)",
            HalfHour with { Data = HalfHour.Data with { Dataset = "fashion-mnist" } }),
        new("stacked-30min", "The mnist-30min recipe's settings on Stacked MNIST (1,000 modes) with a PacGAN2 discriminator without BatchNorm and lazy R1 (γ 1 every 16 steps) for 15,000 steps (27 minutes on 2 cores), evaluated every 2,000",
            "this project's previous default run; data and packing: Lin et al. 2018 (PacGAN), §5.2; R1: Mescheder et al. 2018, lazy as in Karras et al. 2020 (README: Stacked MNIST)",
            HalfHour with
            {
                Data = HalfHour.Data with { Dataset = "stacked-mnist" },
                // BatchNorm's per-batch statistics would subtract a fake batch's shifted feature means (how a too frequent
                // digit shows); without them KL and FD are lower (README: A discriminator without BatchNorm).
                Model = HalfHour.Model with { Pack = 2, DNorm = Normalization.None },
                Objective = HalfHour.Objective with { R1Gamma = 1, R1Every = 16 },
                Training = HalfHour.Training with { Steps = 15000 },
                Output = HalfHour.Output with { EvalEvery = 2000 },
            }),
        new("vae", "Convolutional VAE: the dcgan28-small generator as decoder and its mirror as encoder, z in 16-D, Bernoulli (BCE) likelihood, β = 1, Adam 1e-3, batch 128",
            "Kingma & Welling 2014 (objective); architecture this project's (README: Autoencoders)",
            Autoencoder),
        new("vae-mlp", "Fully connected VAE: 784 → 400 → z in 20-D → 400 → 784, BCE, β = 1, Adam 1e-3, batch 128",
            "Kingma & Welling 2014, App. C (MNIST MLP; 400 hidden units and 20-D z as in PyTorch's examples)",
            MlpAutoencoder),
        new("ae", "Convolutional autoencoder: the vae recipe without the KL term, the code deterministic",
            "Hinton & Salakhutdinov 2006 (deep autoencoders); architecture as the vae recipe",
            Autoencoder with { Objective = Autoencoder.Objective with { Name = "ae" } }),
        new("ae-mlp", "Fully connected autoencoder: the vae-mlp recipe without the KL term",
            "Hinton & Salakhutdinov 2006; architecture as the vae-mlp recipe",
            MlpAutoencoder with { Objective = MlpAutoencoder.Objective with { Name = "ae" } }),
        new("pix2pix", "pix2pix: U-Net G, conditional 70×70 PatchGAN (BatchNorm), BCE + 100·L1, Adam 2e-4 β1 0.5, constant then linearly decaying rate; edges → Fashion-MNIST",
            "Isola et al. 2017, §3 and App. 6.2 (edges2X setting)",
            Translation with
            {
                Data = Translation.Data with { Task = DataTask.Edges },
                Model = Translation.Model with { Name = "unet", Ngf = 32, Ndf = 32 },
                Objective = Translation.Objective with { Name = "pix2pix" },
                Optimizer = Translation.Optimizer with { Schedule = Schedule.ConstantThenLinear },
            }),
        new("pix2pix-l1", "the pix2pix recipe's generator trained with 100·L1 alone: its no-adversary baseline",
            "Isola et al. 2017, Table 1 (L1 row)",
            Translation with
            {
                Data = Translation.Data with { Task = DataTask.Edges },
                Model = Translation.Model with { Name = "unet", Ngf = 32, Ndf = 32 },
                Objective = Translation.Objective with { Name = "pixel", PixelLoss = PixelLoss.L1 },
                Optimizer = Translation.Optimizer with { Schedule = Schedule.ConstantThenLinear },
            }),
        new("srresnet", "SRResNet ×4: the SR generator (8 residual blocks, ngf 32) trained on MSE alone, Adam 1e-4 β1 0.9: the PSNR-oriented model",
            "Ledig et al. 2017, §3.2 (SRResNet-MSE)",
            SuperResolution with { Objective = SuperResolution.Objective with { Name = "pixel" } }),
        new("srgan", "SRGAN ×4: the srresnet recipe's G pretrained on MSE for half the run, then MSE + perceptual (feature maps) + 10⁻³·adversarial against SRGAN's D",
            "Ledig et al. 2017, §2.2 and §3.2 (SRGAN; VGG replaced by the dataset's evaluation network unless --perceptual-network gives VGG19)",
            SuperResolution with { Objective = SuperResolution.Objective with { Name = "srgan", PretrainSteps = 2000 } }),
        new("esrgan", "ESRGAN ×4: an RRDB generator (4 blocks, ngf 32: CPU-sized; the paper has 23 and 64) pretrained on L1 for half the run, then perceptual + 5·10⁻³ relativistic-average adversarial + 10⁻²·L1",
            "Wang et al. 2018, §3 and §4.1 (VGG replaced by the dataset's evaluation network unless --perceptual-network gives VGG19)",
            SuperResolution with
            {
                Model = SuperResolution.Model with { Name = "rrdb", Ngf = 32, Blocks = 4 },
                Objective = SuperResolution.Objective with
                {
                    Name = "srgan", Relativistic = true, PixelLoss = PixelLoss.L1, PixelWeight = 1e-2, PerceptualWeight = 1, AdversarialWeight = 5e-3, PretrainSteps = 2000,
                },
            }),
        new("cyclegan", "CycleGAN: ResNet G (6 blocks, ngf 32), instance-norm 70×70 PatchGANs, LSGAN, cycle λ = 10, identity 0.5, 50-image pools, Adam 2e-4 β1 0.5, constant then linear decay, batch 1; give two domains with --data DIR (trainA/, trainB/) or as two datasets, e.g. --data mnist --data-b colour-mnist",
            "Zhu et al. 2017, §4 and App. 7",
            Translation with
            {
                Data = Translation.Data with { Dataset = "", Task = DataTask.Unpaired },
                Model = Translation.Model with { Name = "resnet", Ngf = 32, Ndf = 32, Blocks = 6 },
                Objective = Translation.Objective with { Name = "cyclegan" },
                Optimizer = Translation.Optimizer with { Schedule = Schedule.ConstantThenLinear },
                Training = Translation.Training with { BatchSize = 1 },
            }),
        new("pacgan-toy", "2-D mode-collapse toys (ring8, grid25): PacGAN2, 256-wide MLPs, z in 2-D, batch 256, Adam 1e-3 decaying linearly to 0",
            "Lin et al. 2018 (PacGAN), §5.1 setting; widths, rate and schedule tuned here (README)",
            Toy),
        new("pacgan-toy-r1", "pacgan-toy trained 5× longer at half the rate with an R1 penalty: 50,000 steps of Adam 5e-4 decaying linearly to 0, R1 γ = 0.1; all modes with ≥ 95 % high-quality samples in ≥ 9 of 10 seeds on ring8 and grid25",
            "Lin et al. 2018 setting; R1: Mescheder et al. 2018; schedule tuned here (README: Mode collapse)",
            Toy with
            {
                Objective = Toy.Objective with { R1Gamma = 0.1 },
                Optimizer = Toy.Optimizer with { LrG = 5e-4, LrD = 5e-4 },
                Training = Toy.Training with { Steps = 50000 },
                Output = Toy.Output with { SampleEvery = 12500, CheckpointEvery = 50000 },
            }),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(r => r.Name)];

    public static Recipe Get(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new ConfigException($"Recipe '{name}' is not known; expected one of {string.Join(", ", Names)} (see 'ganforge recipes').");
}
