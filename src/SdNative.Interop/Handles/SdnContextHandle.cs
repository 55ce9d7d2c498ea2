namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_context*</c>; released with <c>sdn_context_free</c>.</summary>
public sealed class SdnContextHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_context_free(handle);
        return true;
    }
}
