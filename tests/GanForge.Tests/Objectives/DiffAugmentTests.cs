using GanForge.Configuration;
using GanForge.Objectives;
using GanForge.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace GanForge.Tests.Objectives;

public sealed class DiffAugmentTests
{
    [Theory]
    [InlineData("color")]
    [InlineData("translation")]
    [InlineData("cutout")]
    [InlineData("color,translation,cutout")]
    public void Every_policy_keeps_the_shape_and_passes_gradients_to_the_input(string policy)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var images = (rand(6, 3, 16, 12) * 2 - 1).requires_grad_();
        var augmented = DiffAugment.Apply(images, DiffAugment.ParsePolicy(policy, "test"));
        Assert.Equal(images.shape, augmented.shape);
        augmented.square().sum().backward();
        Assert.True(images.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Translation_shifts_each_image_by_whole_pixels_within_an_eighth_and_fills_with_zero()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var images = rand(20, 1, 16, 16) + 1; // strictly positive, so zero marks the fill
        var shifted = DiffAugment.Translation(images);
        for (var i = 0; i < 20; i++)
        {
            var found = false;
            for (var dy = -2; dy <= 2 && !found; dy++)
            for (var dx = -2; dx <= 2 && !found; dx++)
            {
                var expected = zeros(1, 16, 16);
                var (ys, yd, h) = dy >= 0 ? (0, dy, 16 - dy) : (-dy, 0, 16 + dy);
                var (xs, xd, w) = dx >= 0 ? (0, dx, 16 - dx) : (-dx, 0, 16 + dx);
                expected[.., yd..(yd + h), xd..(xd + w)] = images[i, .., ys..(ys + h), xs..(xs + w)];
                found = TensorAssert.Same(shifted[i], expected);
            }
            Assert.True(found, $"image {i} is not a whole-pixel shift of at most 2 pixels");
        }
    }

    [Fact]
    public void Translation_equals_nearest_grid_sampling_and_has_a_second_derivative()
    {
        using var scope = NewDisposeScope();
        var images = randn(6, 3, 16, 16);
        manual_seed(4);
        var gathered = DiffAugment.Translation(images);
        // The reference: the same shifts drawn, read by nearest-neighbour grid sampling of a shifted affine grid.
        manual_seed(4);
        var shiftX = randint(-2, 3, [6]).to_type(ScalarType.Float32);
        var shiftY = randint(-2, 3, [6]).to_type(ScalarType.Float32);
        var theta = zeros(6, 2, 3);
        theta[.., 0, 0] = 1;
        theta[.., 1, 1] = 1;
        theta[.., 0, 2] = -shiftX * (2.0 / 16);
        theta[.., 1, 2] = -shiftY * (2.0 / 16);
        var sampled = grid_sample(images, affine_grid(theta, images.shape, align_corners: false), GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        Assert.True(TensorAssert.Same(gathered, sampled));

        // R1 and WGAN-GP differentiate the gradient: the shift must be twice differentiable.
        var x = images.detach().requires_grad_(true);
        var first = torch.autograd.grad([DiffAugment.Translation(x).square().sum()], [x], create_graph: true, retain_graph: true)[0];
        first.square().sum().backward();
        Assert.NotNull(x.grad);
    }

    [Fact]
    public void Cutout_zeroes_one_square_of_at_most_half_the_size_and_keeps_the_rest()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var images = ones(50, 3, 16, 16);
        var cut = DiffAugment.Cutout(images);
        var zeroed = cut.eq(0).all(1).to_type(ScalarType.Float32); // (B, H, W)
        Assert.True(cut.eq(0).any(1).eq(zeroed.to_type(ScalarType.Bool)).all().item<bool>()); // all channels together
        var counts = zeroed.sum([1, 2]);
        Assert.True(counts.max().item<float>() == 64); // an 8×8 square when it lies wholly inside
        Assert.True(counts.min().item<float>() >= 16);  // at least a quarter of it stays inside
        Assert.True(cut.eq(1).logical_or(cut.eq(0)).all().item<bool>());
    }

    [Fact]
    public void Unknown_transformations_are_named()
    {
        var error = Assert.Throws<ConfigException>(() => new RunConfig { Training = new TrainingConfig { DiffAugment = "color,blur" } }.Validated());
        Assert.Contains("training.diff_augment has 'blur'", error.Message);
    }
}
