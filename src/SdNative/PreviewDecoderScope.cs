using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>Sets a context's preview decoder for the length of one native call and clears it
/// afterwards, so a context never keeps a decoder (and its file) past the call that asked for it.</summary>
internal readonly struct PreviewDecoderScope : IDisposable
{
    private readonly nint _context;
    private readonly SdnHandle.Lease? _lease;

    private PreviewDecoderScope(nint context, SdnHandle.Lease? lease)
    {
        _context = context;
        _lease = lease;
    }

    public static PreviewDecoderScope Set(nint context, TaesdDecoder? decoder)
    {
        if (decoder is null)
        {
            return default;
        }
        var lease = decoder.Use();
        NativeMethods.sdn_context_set_preview_decoder(context, lease.Pointer);
        return new PreviewDecoderScope(context, lease);
    }

    public void Dispose()
    {
        if (_lease is { } lease)
        {
            NativeMethods.sdn_context_set_preview_decoder(_context, 0);
            lease.Dispose();
        }
    }
}
