namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_taesd*</c>; released with <c>sdn_taesd_free</c>.</summary>
public sealed class SdnTaesdHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_taesd_free(handle);
        return true;
    }
}
