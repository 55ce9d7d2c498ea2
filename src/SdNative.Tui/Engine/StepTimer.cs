namespace SdNative.Tui.Engine;

/// <summary>Seconds per sampler step and the time left, from when steps arrive.</summary>
public sealed class StepTimer(Func<TimeSpan> clock)
{
    private TimeSpan? _samplingStart;
    private int _firstStep;

    public double? SecondsPerStep { get; private set; }
    public TimeSpan? Remaining { get; private set; }

    /// <summary>Takes a progress report; the first sampling report starts the clock.</summary>
    public void Observe(int step, int total)
    {
        if (total <= 0)
        {
            return;
        }
        var now = clock();
        if (_samplingStart is null || step < _firstStep)
        {
            // A report of step k means k steps are done; time is measured from the first report.
            (_samplingStart, _firstStep) = (now, step);
            return;
        }
        int done = step - _firstStep;
        if (done > 0)
        {
            SecondsPerStep = (now - _samplingStart.Value).TotalSeconds / done;
            Remaining = TimeSpan.FromSeconds(SecondsPerStep.Value * (total - step));
        }
    }

    public string Describe(int step, int total) =>
        $"step {step}/{total}" + (SecondsPerStep is double s ? $" · {s:0.00} s/step · ETA {Remaining!.Value.TotalSeconds:0}s" : "");
}
