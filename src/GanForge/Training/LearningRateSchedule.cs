using GanForge.Configuration;

namespace GanForge.Training;

/// <summary>
/// Learning rate as a pure function of the step, so a resumed run needs no scheduler state:
/// warm-up ramp × schedule factor × base rate.
/// </summary>
public static class LearningRateSchedule
{
    public static IReadOnlyList<string> Names { get; } = ["constant", "step", "exponential", "linear"];

    /// <exception cref="ConfigException">optimizer.schedule is not one of <see cref="Names"/>.</exception>
    public static void Validate(OptimizerConfig config)
    {
        if (!Names.Contains(config.Schedule))
            throw new ConfigException($"optimizer.schedule is '{config.Schedule}'; expected one of {string.Join(", ", Names)}.");
    }

    /// <summary>The rate for 0-based <paramref name="step"/> of a run of <paramref name="totalSteps"/> steps.</summary>
    public static double At(double baseRate, long step, long totalSteps, OptimizerConfig config)
    {
        var factor = config.Schedule switch
        {
            "constant" => 1.0,
            "step" => Math.Pow(config.ScheduleGamma, step / config.ScheduleStepSize),
            "exponential" => Math.Pow(config.ScheduleGamma, step),
            "linear" => 1.0 - (double)step / Math.Max(1, totalSteps),
            _ => throw new ConfigException($"optimizer.schedule is '{config.Schedule}'; expected one of {string.Join(", ", Names)}."),
        };
        if (config.WarmupSteps > 0 && step < config.WarmupSteps) factor *= (step + 1.0) / config.WarmupSteps;
        return baseRate * factor;
    }
}
