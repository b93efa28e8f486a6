using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanForge.Models;

/// <summary>The DCGAN paper's initialisation (Radford et al. 2016, §4): weights N(0, 0.02); BatchNorm scales N(1, 0.02); biases 0.</summary>
public static class WeightInit
{
    public static void Dcgan(Module module)
    {
        using var _ = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2dLayer or ConvTranspose2dLayer or TorchSharp.Modules.Linear or SpectralConv2d or SpectralLinear:
                    foreach (var (name, p) in child.named_parameters(recurse: false))
                    {
                        if (name == "weight") init.normal_(p, 0.0, 0.02);
                        else if (name == "bias") init.zeros_(p);
                    }
                    break;
                case TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d:
                    foreach (var (name, p) in child.named_parameters(recurse: false))
                    {
                        if (name == "weight") init.normal_(p, 1.0, 0.02);
                        else if (name == "bias") init.zeros_(p);
                    }
                    break;
            }
        }
    }
}
