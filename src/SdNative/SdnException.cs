namespace SdNative;

/// <summary>A failed libsdnative call: the status and the context's explanation.
/// Cancellation is not reported this way but as <see cref="OperationCanceledException"/>.</summary>
public sealed class SdnException : Exception
{
    public SdnException(EngineStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    public EngineStatus Status { get; }
}
