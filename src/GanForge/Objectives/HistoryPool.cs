using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Objectives;

/// <summary>
/// The image history of Shrivastava et al. 2017 (§2.3), as CycleGAN uses it (Zhu et al. 2017, §4): D is shown fakes
/// from earlier generators too, which damps oscillation. Until the pool is full every fake is stored and shown;
/// afterwards each fake, with probability ½, is swapped with a random stored one (the old one is shown), else shown
/// as it is. A module whose buffers (the images and their count) are part of the checkpoint, and whose choices draw
/// from torch's generator, so a resumed run makes the same choices.
/// </summary>
public sealed class HistoryPool : nn.Module
{
    public HistoryPool(int capacity, long[] imageShape) : base(nameof(HistoryPool))
    {
        Capacity = capacity;
        register_buffer("images", zeros([capacity, .. imageShape]));
        register_buffer("count", zeros([1], ScalarType.Int64));
    }

    // Looked up each time: moving the module to a device replaces its buffers.
    private Tensor images => get_buffer("images")!;
    private Tensor count => get_buffer("count")!;

    public int Capacity { get; }

    /// <summary>How many fakes are stored.</summary>
    public int Count => (int)count.item<long>();

    /// <summary>The batch D is to see: the fakes (detached), some swapped for stored ones; a pool of capacity 0 passes them through.</summary>
    public Tensor Query(Tensor fakes)
    {
        fakes = fakes.detach();
        if (Capacity == 0) return fakes;
        using var _ = no_grad();
        var shown = new List<Tensor>();
        for (var i = 0; i < fakes.shape[0]; i++)
        {
            var image = fakes[i];
            var stored = Count;
            if (stored < Capacity)
            {
                images[stored].copy_(image);
                count.add_(1);
                shown.Add(image);
            }
            else if (rand(1).item<float>() > 0.5f)
            {
                var slot = randint(0, Capacity, [1]).item<long>();
                shown.Add(images[slot].clone());
                images[slot].copy_(image);
            }
            else shown.Add(image);
        }
        return stack(shown);
    }
}
