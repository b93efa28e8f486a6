using GanForge.Configuration;
using GanForge.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanForge.Training;

/// <summary>
/// A program's networks by name, each with its optimizer and, when averaged, its moving average: what the loop
/// updates, what checkpoints store and resume restores, and what grids and evaluation sample from.
/// </summary>
internal sealed class NetworkSet : IDisposable
{
    private sealed record Entry(Network Network, OptimizerHelper Optimizer, nn.Module? Average);

    private readonly List<Entry> entries = [];
    private readonly IReadOnlyList<(string Name, nn.Module Module)> state;
    private readonly OptimizerConfig config;
    private readonly double averageDecay;

    /// <summary>Moves the program's networks to the device and builds their optimizers and moving averages (which draw initial weights, then copy).</summary>
    public NetworkSet(ITrainingProgram program, OptimizerConfig config, double averageDecay, Device device)
    {
        this.config = config;
        this.averageDecay = averageDecay;
        foreach (var network in program.Networks) network.Module.to(device);
        state = program.State;
        foreach (var (_, module) in state) module.to(device);
        var averages = program.Networks.ToDictionary(n => n.Name, n => averageDecay > 0 && n.Averaged ? CreateAverage(program, n, device) : null);
        foreach (var network in program.Networks)
        {
            var lr = BaseRate(network);
            var parameters = network.Module.parameters();
            OptimizerHelper optimizer = config.Name == OptimizerKind.Rmsprop ? optim.RMSProp(parameters, lr) : optim.Adam(parameters, lr, config.Beta1, config.Beta2);
            entries.Add(new Entry(network, optimizer, averages[network.Name]));
        }
    }

    private static nn.Module CreateAverage(ITrainingProgram program, Network network, Device device)
    {
        var average = program.CreateCopy(network.Name);
        average.to(device);
        average.eval();
        using var _ = no_grad();
        var from = network.Module.state_dict();
        foreach (var (name, tensor) in average.state_dict()) tensor.copy_(from[name]);
        return average;
    }

    public nn.Module this[string name] => Find(name).Network.Module;

    public IEnumerable<nn.Module> Modules => entries.Select(e => e.Network.Module);

    public bool Contains(string name) => entries.Any(e => e.Network.Name == name);

    /// <summary>The moving average of a network, or null when it has none.</summary>
    public nn.Module? Average(string name) => Find(name).Average;

    /// <summary>What grids, evaluation and 'sample' draw from: the moving average when there is one, else the network.</summary>
    public (nn.Module Module, bool IsAverage) Sampler(string name) => Average(name) is { } average ? (average, true) : (this[name], false);

    /// <summary>Sets this step's learning rates: each network's base rate under the schedule and warm-up.</summary>
    public void SetLearningRates(long step, long totalSteps)
    {
        foreach (var e in entries)
        foreach (var group in e.Optimizer.ParamGroups)
            group.LearningRate = LearningRateSchedule.At(BaseRate(e.Network), step, totalSteps, config);
    }

    private double BaseRate(Network network) => network.Side == NetworkSide.Generator ? config.LrG : config.LrD;

    public void ZeroGrad(IEnumerable<string> names)
    {
        foreach (var name in names) Find(name).Optimizer.zero_grad();
    }

    /// <summary>Clips every named network's gradients (optimizer.grad_clip_*), then steps their optimizers.</summary>
    public void ClipAndStep(IReadOnlyList<string> names)
    {
        if (config.GradClipNorm is not null || config.GradClipValue is not null)
        {
            foreach (var name in names)
            {
                var parameters = this[name].parameters();
                if (config.GradClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
                if (config.GradClipValue is { } maxValue) nn.utils.clip_grad_value_(parameters, maxValue);
            }
        }
        foreach (var name in names) Find(name).Optimizer.step();
    }

    public static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters()) p.requires_grad = value;
    }

    /// <summary>ema ← β·ema + (1 − β)·θ with β = min(decay, (1 + step) / (10 + step)) for each averaged network updated this step; buffers are copied.</summary>
    public void UpdateAverages(IReadOnlySet<string> updated, long step)
    {
        var beta = Math.Min(averageDecay, (1.0 + step) / (10.0 + step));
        using var _ = no_grad();
        foreach (var e in entries.Where(e => e.Average is not null && updated.Contains(e.Network.Name)))
        {
            foreach (var (average, current) in e.Average!.parameters().Zip(e.Network.Module.parameters())) average.mul_(beta).add_(current, alpha: 1 - beta);
            foreach (var (average, current) in e.Average.buffers().Zip(e.Network.Module.buffers())) average.copy_(current);
        }
    }

    /// <summary>Checkpoint entries: every network, then every moving average, in the program's order, then the program's other state.</summary>
    public IEnumerable<(string Name, nn.Module Module)> Weights =>
        entries.Select(e => (e.Network.Name, e.Network.Module))
            .Concat(entries.Where(e => e.Average is not null).Select(e => (Checkpoint.AverageName(e.Network.Name), e.Average!)))
            .Concat(state);

    public IEnumerable<(string Key, OptimizerHelper Optimizer)> Optimizers => entries.Select(e => (e.Network.OptimizerKey, e.Optimizer));

    private Entry Find(string name) =>
        entries.FirstOrDefault(e => e.Network.Name == name) ?? throw new ArgumentException($"The program has no network '{name}'.", nameof(name));

    public void Dispose()
    {
        foreach (var e in entries)
        {
            e.Optimizer.Dispose();
            e.Network.Module.Dispose();
            e.Average?.Dispose();
        }
        foreach (var (_, module) in state) module.Dispose();
    }
}
