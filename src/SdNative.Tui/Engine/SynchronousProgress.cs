namespace SdNative.Tui.Engine;

/// <summary>An IProgress that reports on the caller's thread, in order. Progress&lt;T&gt; posts to
/// the thread pool, so a step could arrive after the run's end; the UI marshals itself.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
