using SdNative.Tui.Engine;

namespace SdNative.Tui.Tests;

public class StepTimerTests
{
    [Fact]
    public void SecondsPerStepAndTimeLeftComeFromTheStepsSeen()
    {
        var now = TimeSpan.Zero;
        var timer = new StepTimer(() => now);
        timer.Observe(1, 10);           // clock starts at the first report
        now = TimeSpan.FromSeconds(6);
        timer.Observe(4, 10);           // 3 steps in 6 s
        Assert.Equal(2.0, timer.SecondsPerStep);
        Assert.Equal(TimeSpan.FromSeconds(12), timer.Remaining); // 6 steps left
        Assert.Equal("step 4/10 · 2.00 s/step · ETA 12s", timer.Describe(4, 10));
    }
}
