namespace SdNative.Interop.Handles;

/// <summary>Owns an <c>sdn_tensor*</c>; released with <c>sdn_tensor_free</c>.</summary>
public sealed class SdnTensorHandle : SdnHandle
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.sdn_tensor_free(handle);
        return true;
    }
}
