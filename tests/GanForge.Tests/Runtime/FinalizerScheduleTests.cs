using GanForge.Runtime;

namespace GanForge.Tests.Runtime;

public sealed class FinalizerScheduleTests
{
    [Fact]
    public void Collects_once_the_interval_has_passed_and_not_before()
    {
        var collections = 0;
        var schedule = new FinalizerSchedule(TimeSpan.FromMilliseconds(300), () => collections++);

        for (var i = 0; i < 1000; i++) schedule.Step();
        Assert.Equal(0, collections);

        Thread.Sleep(350);
        schedule.Step();
        schedule.Step();
        Assert.Equal(1, collections);
    }
}
