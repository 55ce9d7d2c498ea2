using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SdNative.Tui.Engine;

/// <summary>
/// Runs queued generations one after another on a background task. Events come from that
/// task's thread: subscribers that touch the UI marshal through Invoke. Any job can be
/// cancelled, queued or running; cancelling the running one stops it mid-step.
/// </summary>
public sealed class GenerationQueue(IGenerationBackend backend, ILogger? logger = null) : IDisposable
{
    private readonly object _lock = new();
    private readonly List<GenerationJob> _jobs = [];
    private Task _worker = Task.CompletedTask;
    private bool _working;
    private int _numbers;

    /// <summary>A job was queued, started, finished, failed or was cancelled.</summary>
    public event Action<GenerationJob>? JobChanged;

    /// <summary>A running job reported progress (a step, a stage, a preview).</summary>
    public event Action<GenerationJob, GenerationUpdate>? JobProgress;

    public IGenerationBackend Backend => backend;

    public IReadOnlyList<GenerationJob> Jobs
    {
        get
        {
            lock (_lock)
            {
                return _jobs.ToList();
            }
        }
    }

    public GenerationJob? Running => Jobs.FirstOrDefault(j => j.State == JobState.Running);

    public GenerationJob Enqueue(JsonObject prompt, string summary)
    {
        GenerationJob job;
        lock (_lock)
        {
            job = new GenerationJob(++_numbers, (JsonObject)prompt.DeepClone(), summary);
            _jobs.Add(job);
            // The flag, not the task's state: a worker that found nothing to do has already
            // decided to stop while its task may not have completed yet.
            if (!_working)
            {
                _working = true;
                _worker = Task.Run(WorkAsync);
            }
        }
        JobChanged?.Invoke(job);
        return job;
    }

    /// <summary>Cancels a job: a queued one never starts, a running one stops at its next check.</summary>
    public void Cancel(GenerationJob job)
    {
        bool changed = false;
        lock (_lock)
        {
            if (job.State == JobState.Queued)
            {
                job.State = JobState.Cancelled;
                changed = true;
            }
        }
        job.Cancellation.Cancel();
        if (changed)
        {
            JobChanged?.Invoke(job);
        }
    }

    public void CancelAll()
    {
        foreach (var job in Jobs.Where(j => !j.IsFinished))
        {
            Cancel(job);
        }
    }

    /// <summary>Completes once nothing is queued or running.</summary>
    public Task IdleAsync()
    {
        lock (_lock)
        {
            return _worker;
        }
    }

    public void Dispose()
    {
        CancelAll();
        try
        {
            IdleAsync().Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task WorkAsync()
    {
        while (true)
        {
            GenerationJob? job;
            lock (_lock)
            {
                job = _jobs.FirstOrDefault(j => j.State == JobState.Queued);
                if (job is null)
                {
                    _working = false;
                    return;
                }
                job.State = JobState.Running;
            }
            JobChanged?.Invoke(job);
            await RunAsync(job);
            JobChanged?.Invoke(job);
        }
    }

    private async Task RunAsync(GenerationJob job)
    {
        var progress = new SynchronousProgress<GenerationUpdate>(update =>
        {
            job.LastUpdate = update;
            JobProgress?.Invoke(job, update);
        });
        try
        {
            job.Outcome = await backend.RunAsync(job.Prompt, progress, job.Cancellation.Token);
            job.State = JobState.Done;
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
        {
            job.State = JobState.Cancelled;
        }
        catch (GenerationFailedException e)
        {
            (job.State, job.Error, job.ErrorBody) = (JobState.Failed, e.Message, e.ErrorBody);
        }
        catch (Exception e)
        {
            logger?.LogError(e, "generation #{Number} failed", job.Number);
            (job.State, job.Error) = (JobState.Failed, e.Message);
        }
    }
}
