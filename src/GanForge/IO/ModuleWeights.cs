using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.IO;

/// <summary>Loads named tensors into a module, matching its state_dict names and shapes exactly.</summary>
public static class ModuleWeights
{
    /// <summary>Copies <paramref name="loaded"/> into <paramref name="module"/>; returns why they do not fit it, or null when they were loaded.</summary>
    public static string? TryLoad(nn.Module module, IReadOnlyDictionary<string, Tensor> loaded)
    {
        var expected = module.state_dict();
        foreach (var (name, target) in expected)
        {
            if (!loaded.TryGetValue(name, out var source)) return $"it lacks '{name}'; it was written for a different model";
            if (!source.shape.SequenceEqual(target.shape))
                return $"'{name}' has shape [{string.Join(", ", source.shape)}] but the model expects [{string.Join(", ", target.shape)}]";
        }
        var unexpected = loaded.Keys.Except(expected.Keys).ToList();
        if (unexpected.Count > 0) return $"it has weights the model lacks ({string.Join(", ", unexpected.Take(3))}); it was written for a different model";
        module.load_state_dict(loaded.ToDictionary());
        return null;
    }
}
