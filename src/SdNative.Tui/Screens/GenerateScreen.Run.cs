using System.Diagnostics;
using System.Globalization;
using SdNative.Tui.Engine;
using SdNative.Tui.Workflow;

namespace SdNative.Tui.Screens;

/// <summary>Queueing a run from the form and showing its progress, preview and result.</summary>
public sealed partial class GenerateScreen
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Random _seeds = new();
    private StepTimer? _timer;
    private GenerationJob? _lastShown;

    /// <summary>Writes the form into the workflow and queues it; then applies the seed rule.
    /// Returns the job, or null (with a status message) when an input is out of range.</summary>
    public GenerationJob? QueueGeneration()
    {
        if (!Form.TryCommit(out string error))
        {
            Status?.Invoke(error);
            return null;
        }
        var inputs = _session.Inputs;
        var job = _session.Queue.Enqueue(_session.Prompt, Summarize(inputs));
        AdvanceSeed(inputs);
        Status?.Invoke($"queued #{job.Number}: {job.Summary}");
        return job;
    }

    /// <summary>Cancels the running job, if any; never quits.</summary>
    public bool CancelRunning()
    {
        var running = _session.Queue.Running;
        if (running is null)
        {
            return false;
        }
        _session.Queue.Cancel(running);
        Status?.Invoke($"cancelling #{running.Number}");
        return true;
    }

    private void AdvanceSeed(GenerateInputs inputs)
    {
        if (Form.Seed is null || inputs.SamplerNode is null || !ulong.TryParse(Form.Seed.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
        {
            return;
        }
        var range = Form.Seed.Range;
        ulong min = (ulong)Math.Max(0, range?.Min ?? 0);
        ulong max = range?.Max is double m && m < ulong.MaxValue ? (ulong)m : ulong.MaxValue;
        ulong next = SeedRule.Next(seed, Form.SeedRuleChosen, min, max, _seeds);
        Form.Seed.Text = next.ToString(CultureInfo.InvariantCulture);
        inputs.Set(inputs.SamplerNode, inputs.SeedInput, next);
    }

    private static string Summarize(GenerateInputs inputs)
    {
        var parts = new List<string>();
        void Part(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{name} {value}");
            }
        }
        Part("seed", inputs.Get(inputs.SamplerNode, inputs.SeedInput));
        Part("steps", inputs.Get(inputs.SamplerNode, "steps"));
        Part("cfg", inputs.Get(inputs.SamplerNode, "cfg"));
        Part("denoise", inputs.Get(inputs.SamplerNode, "denoise"));
        Part("sampler", inputs.Get(inputs.SamplerNode, "sampler_name"));
        return parts.Count > 0 ? string.Join(" · ", parts) : "workflow";
    }

    // Queue events arrive on the worker's thread; everything below runs on the UI thread.
    private void OnJobProgress(GenerationJob job, GenerationUpdate update) => _app.Invoke(() => ShowProgress(job, update));

    private void OnJobChanged(GenerationJob job)
    {
        // The state as of this event: by the time the UI runs this, the job may have moved on,
        // and each state must be shown once.
        var state = job.State;
        _app.Invoke(() => ShowState(job, state));
    }

    private void ShowProgress(GenerationJob job, GenerationUpdate update)
    {
        if (update.Total > 0)
        {
            _timer ??= new StepTimer(() => _clock.Elapsed);
            _timer.Observe(update.Step, update.Total);
            _bar.Fraction = Math.Clamp((float)update.Step / update.Total, 0f, 1f);
            _progressText.Text = $"#{job.Number} {update.Stage} {_timer.Describe(update.Step, update.Total)}";
        }
        else
        {
            _progressText.Text = $"#{job.Number} {update.Stage}";
        }
        if (update.Preview is not null)
        {
            _picture.Show(update.Preview);
        }
    }

    private void ShowState(GenerationJob job, JobState state)
    {
        switch (state)
        {
            case JobState.Running:
                _timer = null;
                _bar.Fraction = 0;
                _progressText.Text = $"#{job.Number} starting";
                return;
            case JobState.Done:
                var outcome = job.Outcome!;
                _bar.Fraction = 1;
                if (_lastShown?.Outcome?.Image is RgbImage before)
                {
                    _previous.Show(before);
                    _previousText.Text = $"before: {string.Join(", ", _lastShown.Outcome.Files.Select(Path.GetFileName))} · {_lastShown.Summary}";
                }
                _lastShown = job;
                if (outcome.Image is not null)
                {
                    _picture.Show(outcome.Image);
                }
                string files = outcome.Files.Count == 0 ? "no file written" : string.Join(", ", outcome.Files.Select(Path.GetFileName));
                if (outcome.Cached)
                {
                    files = $"unchanged, nothing ran: {files}";
                }
                double perStep = outcome.Steps > 0 ? outcome.Elapsed.TotalSeconds / outcome.Steps : 0;
                _progressText.Text = $"#{job.Number} done in {outcome.Elapsed.TotalSeconds:0.0} s" + (outcome.Steps > 0 ? $" ({perStep:0.00} s/step overall)" : "");
                _resultText.Text = $"{files}\n{job.Summary}";
                Status?.Invoke($"#{job.Number} done: {files}");
                break;
            case JobState.Failed:
                _progressText.Text = $"#{job.Number} failed";
                _resultText.Text = job.Error ?? "";
                Status?.Invoke($"#{job.Number} failed: {job.Error}");
                if (job.ErrorBody is not null)
                {
                    _session.ReportValidation(job.ErrorBody);
                }
                break;
            case JobState.Cancelled:
                _progressText.Text = $"#{job.Number} cancelled";
                Status?.Invoke($"#{job.Number} cancelled");
                break;
            default:
                return;
        }
        ResultShown?.Invoke(job);
    }
}
