using System.Text.Json.Nodes;

namespace SdNative.Tui.Engine;

/// <summary>One queued generation: the prompt as it was when queued, and what became of it.</summary>
public sealed class GenerationJob(int number, JsonObject prompt, string summary)
{
    internal CancellationTokenSource Cancellation { get; } = new();

    public int Number { get; } = number;
    public JsonObject Prompt { get; } = prompt;

    /// <summary>"seed 12345, denoise 0.65, 25 steps": what the queue panel lists.</summary>
    public string Summary { get; } = summary;

    public JobState State { get; internal set; } = JobState.Queued;
    public GenerationUpdate? LastUpdate { get; internal set; }
    public GenerationOutcome? Outcome { get; internal set; }
    public string? Error { get; internal set; }

    /// <summary>ComfyUI's error body when the prompt did not validate.</summary>
    public JsonObject? ErrorBody { get; internal set; }

    public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;

    public override string ToString() => $"#{Number} {State.ToString().ToLowerInvariant(),-9} {Summary}" + (Error is null ? "" : $" — {Error}");
}
