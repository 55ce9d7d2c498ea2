namespace SdNative;

/// <summary>Why a libsdnative call failed (carried by <see cref="SdnException"/>).</summary>
public enum EngineStatus
{
    Ok,
    InvalidArgument,
    Io,
    Format,
    Unsupported,
    OutOfMemory,
    Cancelled,
    NotFound,
    Internal,
}
