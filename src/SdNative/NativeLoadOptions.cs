using System.Runtime.InteropServices;
using SdNative.Interop;

namespace SdNative;

/// <summary>sdn_load_options_t filled from <see cref="CheckpointLoadOptions"/>, owning the UTF-8
/// copies of its paths until disposed (after the native call that reads them).</summary>
internal sealed unsafe class NativeLoadOptions : IDisposable
{
    private readonly nint _tokenizer, _modelsDir;
    private sdn_load_options_t _value;

    public NativeLoadOptions(CheckpointLoadOptions options)
    {
        _tokenizer = options.TokenizerPath is null ? 0 : Marshal.StringToCoTaskMemUTF8(options.TokenizerPath);
        _modelsDir = options.ModelsDir is null ? 0 : Marshal.StringToCoTaskMemUTF8(options.ModelsDir);
        fixed (sdn_load_options_t* v = &_value)
        {
            NativeMethods.sdn_load_options_init(v);
        }
        _value.tokenizer_path = (byte*)_tokenizer;
        _value.models_dir = (byte*)_modelsDir;
    }

    /// <summary>The options as the native call takes them (a copy; the paths stay owned here).</summary>
    public sdn_load_options_t Value => _value;

    public void Dispose()
    {
        Marshal.FreeCoTaskMem(_tokenizer);
        Marshal.FreeCoTaskMem(_modelsDir);
    }
}
