using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>Native copies of managed tensors made for one call, freed together when it ends.</summary>
internal sealed class NativeTensorSet : IDisposable
{
    private readonly List<SdnTensorHandle> _handles = [];

    /// <summary>Copies the tensor to native memory; the pointer stays valid until Dispose.</summary>
    public nint Add(Tensor4 tensor)
    {
        var handle = NativeTensor.Create(tensor);
        _handles.Add(handle);
        return handle.DangerousGetHandle();
    }

    public void Dispose()
    {
        foreach (var h in _handles)
        {
            h.Dispose();
        }
        _handles.Clear();
    }
}
