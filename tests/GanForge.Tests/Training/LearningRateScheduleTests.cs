using GanForge.Configuration;
using GanForge.Training;

namespace GanForge.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private static double At(OptimizerConfig c, long step, long total = 100) => LearningRateSchedule.At(1.0, step, total, c);

    [Fact]
    public void Schedules_give_the_documented_rate_per_step()
    {
        Assert.Equal(1.0, At(new OptimizerConfig(), 77));
        var step = new OptimizerConfig { Schedule = Schedule.Step, ScheduleStepSize = 10, ScheduleGamma = 0.5 };
        Assert.Equal([1.0, 1.0, 0.5, 0.25], new[] { 0L, 9, 10, 25 }.Select(s => At(step, s)));
        var exponential = new OptimizerConfig { Schedule = Schedule.Exponential, ScheduleGamma = 0.9 };
        Assert.Equal(0.9 * 0.9 * 0.9, At(exponential, 3), 12);
        var linear = new OptimizerConfig { Schedule = Schedule.Linear };
        Assert.Equal([1.0, 0.75, 0.01], new[] { 0L, 25, 99 }.Select(s => At(linear, s)), new ToleranceComparer());
    }

    [Fact]
    public void Warm_up_ramps_linearly_then_hands_over_to_the_schedule()
    {
        var c = new OptimizerConfig { WarmupSteps = 4 };
        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.0], new[] { 0L, 1, 2, 3, 4 }.Select(s => At(c, s)));
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-12;
        public int GetHashCode(double value) => 0;
    }
}
