using System.Diagnostics;

namespace SdNative.Cli;

/// <summary>
/// Shows engine progress: a live bar redrawn per sampler step on a terminal, plain lines
/// otherwise. Also counts sampler steps and their time for the run summary.
/// </summary>
public sealed class ProgressDisplay(TextWriter writer, bool live) : IProgress<GenerationProgress>
{
    private readonly object _gate = new();
    private readonly Stopwatch _sampling = new();
    private bool _barOpen;

    public int SamplerSteps { get; private set; }
    public TimeSpan SamplingTime => _sampling.Elapsed;

    /// <summary>Seconds from process start to the start of the first sampler step, or null.</summary>
    public double? FirstStepSeconds { get; private set; }

    public void Report(GenerationProgress value)
    {
        if (value.Preview is not null)
        {
            return;
        }
        lock (_gate)
        {
            if (value.Stage == GenerationStage.Sampling)
            {
                if (value.Step == 0)
                {
                    FirstStepSeconds ??= (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
                    _sampling.Start();
                }
                else
                {
                    SamplerSteps++;
                    if (value.Step >= value.Total)
                    {
                        _sampling.Stop();
                    }
                }
                if (live)
                {
                    DrawBar(value);
                }
                else if (value.Step > 0)
                {
                    writer.WriteLine($"sampling: step {value.Step}/{value.Total}");
                }
                return;
            }
            if (value.Stage == GenerationStage.Unet)
            {
                return;
            }
            if (value.Step == 0)
            {
                CloseBar();
                writer.WriteLine($"{StageName(value.Stage)}...");
            }
        }
    }

    private void DrawBar(GenerationProgress p)
    {
        const int width = 30;
        int total = Math.Max(p.Total, 1);
        int filled = (int)((long)width * Math.Clamp(p.Step, 0, total) / total);
        double perStep = SamplerSteps > 0 ? _sampling.Elapsed.TotalSeconds / SamplerSteps : 0;
        writer.Write($"\rsampling [{new string('#', filled)}{new string('.', width - filled)}] {p.Step}/{p.Total}  {perStep:F2} s/step ");
        writer.Flush();
        _barOpen = true;
        if (p.Step >= p.Total)
        {
            CloseBar();
        }
    }

    /// <summary>Ends a bar line before anything else is printed.</summary>
    public void CloseBar()
    {
        lock (_gate)
        {
            if (_barOpen)
            {
                writer.WriteLine();
                _barOpen = false;
            }
        }
    }

    private static string StageName(GenerationStage stage) => stage switch
    {
        GenerationStage.Load => "loading",
        GenerationStage.TextEncode => "encoding text",
        GenerationStage.VaeEncode => "encoding image",
        GenerationStage.VaeDecode => "decoding image",
        GenerationStage.Convert => "converting",
        _ => stage.ToString().ToLowerInvariant(),
    };
}
