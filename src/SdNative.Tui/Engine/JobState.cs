namespace SdNative.Tui.Engine;

public enum JobState
{
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}
