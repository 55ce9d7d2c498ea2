namespace SdNative.Interop;

/// <summary>The loaded libsdnative was built from a different header than these bindings.</summary>
public sealed class AbiMismatchException : InvalidOperationException
{
    public AbiMismatchException(int libraryVersion, int expectedVersion)
        : base($"libsdnative reports ABI version {libraryVersion}, but SdNative.Interop was generated for ABI version {expectedVersion}. " +
               "Rebuild the native library and the managed projects from the same source tree.")
    {
        LibraryVersion = libraryVersion;
        ExpectedVersion = expectedVersion;
    }

    public int LibraryVersion { get; }
    public int ExpectedVersion { get; }
}
