namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_clip*</c>; released with <c>sdn_clip_free</c>.</summary>
public sealed class SdnClipHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_clip_free(handle);
        return true;
    }
}
