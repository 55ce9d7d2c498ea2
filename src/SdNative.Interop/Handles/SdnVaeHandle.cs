namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_vae*</c>; released with <c>sdn_vae_free</c>.</summary>
public sealed class SdnVaeHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_vae_free(handle);
        return true;
    }
}
