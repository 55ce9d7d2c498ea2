namespace SdNative.Interop;

/// <summary>libsdnative could not be loaded; <see cref="Attempts"/> says why for each path.</summary>
public sealed class NativeLibraryNotFoundException : DllNotFoundException
{
    public NativeLibraryNotFoundException(string message, IReadOnlyList<string> attempts)
        : base(message)
    {
        Attempts = attempts;
    }

    public IReadOnlyList<string> Attempts { get; }
}
