using GanForge.Models;
using static TorchSharp.torch;

namespace GanForge.Tests.Models;

public sealed class Dcgan28Tests
{
    /// <summary>
    /// D's activations run in place (their inputs are not needed again). The function, its input gradient and the
    /// second-order gradient R1 takes must stay those of the layers applied out of place.
    /// </summary>
    [Fact]
    public void In_place_activations_keep_the_discriminator_and_its_R1_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var d = new Dcgan28Discriminator(16, 1, new DiscriminatorOptions());
        var p = d.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        Tensor OutOfPlace(Tensor x)
        {
            var h = nn.functional.leaky_relu(Convolution.Conv2d(x, p["conv1.weight"], p["conv1.bias"], 2, 2), 0.2);
            h = nn.functional.leaky_relu(Convolution.Conv2d(h, p["conv2.weight"], p["conv2.bias"], 2, 2), 0.2);
            return nn.functional.linear(h.flatten(1), p["head.weight"], p["head.bias"]).squeeze(1);
        }
        (Tensor Output, Tensor InputGradient, Tensor[] R1Gradients) Measure(Func<Tensor, Tensor> score)
        {
            var x = randn(6, 1, 28, 28, generator: new Generator(1)).requires_grad_(true);
            var output = score(x);
            var gradient = autograd.grad([output.sum()], [x], retain_graph: true, create_graph: true)[0]; // as GradientPenalties takes it
            var r1 = gradient.square().sum();
            var weights = p.Where(n => n.Key.EndsWith("weight", StringComparison.Ordinal)).Select(n => n.Value).ToArray();
            return (output.detach(), gradient.detach(), autograd.grad([r1], weights).Select(g => g.detach()).ToArray());
        }

        var inPlace = Measure(x => d.call(x));
        var reference = Measure(OutOfPlace);

        Assert.True(inPlace.Output.allclose(reference.Output, rtol: 1e-5, atol: 1e-6));
        Assert.True(inPlace.InputGradient.allclose(reference.InputGradient, rtol: 1e-5, atol: 1e-6));
        Assert.All(inPlace.R1Gradients.Zip(reference.R1Gradients), g => Assert.True(g.First.allclose(g.Second, rtol: 1e-4, atol: 1e-6)));
        Assert.True(reference.R1Gradients.All(g => g.abs().max().item<float>() > 0), "every weight takes part in R1");
    }
}
