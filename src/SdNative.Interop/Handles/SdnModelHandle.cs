namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_model*</c>; released with <c>sdn_model_free</c>.</summary>
public sealed class SdnModelHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_model_free(handle);
        return true;
    }
}
