using SdNative.Interop;

namespace SdNative;

/// <summary>Which ComfyUI sampler names the native engine implements.</summary>
public static class SamplerSupport
{
    /// <summary>Whether libsdnative runs the sampler <paramref name="name"/>; null when no
    /// usable libsdnative can be loaded, so there is nobody to ask.</summary>
    public static bool? IsSupported(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            SdnLibrary.EnsureLoaded();
            return NativeMethods.sdn_sampler_supported(name) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NativeLibraryNotFoundException)
        {
            return null;
        }
    }
}
