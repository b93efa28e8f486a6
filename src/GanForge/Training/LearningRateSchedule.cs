using GanForge.Configuration;

namespace GanForge.Training;

/// <summary>
/// Learning rate as a pure function of the step, so a resumed run needs no scheduler state:
/// warm-up ramp × schedule factor × base rate.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate for 0-based <paramref name="step"/> of a run of <paramref name="totalSteps"/> steps.</summary>
    public static double At(double baseRate, long step, long totalSteps, OptimizerConfig config)
    {
        var factor = config.Schedule switch
        {
            Schedule.Constant => 1.0,
            Schedule.Step => Math.Pow(config.ScheduleGamma, step / config.ScheduleStepSize),
            Schedule.Exponential => Math.Pow(config.ScheduleGamma, step),
            Schedule.Linear => 1.0 - (double)step / Math.Max(1, totalSteps),
            Schedule.ConstantThenLinear => Math.Min(1.0, 2.0 * (1.0 - (double)step / Math.Max(1, totalSteps))),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Schedule, null),
        };
        if (config.WarmupSteps > 0 && step < config.WarmupSteps) factor *= (step + 1.0) / config.WarmupSteps;
        return baseRate * factor;
    }
}
