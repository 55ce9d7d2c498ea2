using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>Copies between <see cref="Tensor4"/> and <c>sdn_tensor</c>. Every native tensor made
/// here is owned by a SafeHandle, so a failed call cannot leak it.</summary>
internal static unsafe class NativeTensor
{
    public static SdnTensorHandle Create(Tensor4 tensor)
    {
        var shape = tensor.Shape;
        long* dims = stackalloc long[4];
        for (int i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i];
        }
        var handle = new SdnTensorHandle();
        nint created;
        SdnStatus status;
        fixed (float* data = tensor.Data)
        {
            status = NativeMethods.sdn_tensor_create(shape.Length, dims, tensor.Count == 0 ? null : data, &created);
        }
        if (status != SdnStatus.Ok)
        {
            throw new SdnException(status.ToManaged(), $"Could not create a native tensor {tensor}: {SdnLibrary.StatusName(status)}.");
        }
        handle.Adopt(created);
        return handle;
    }

    /// <summary>Copies a native tensor out and frees it.</summary>
    public static Tensor4 TakeOwnership(nint pointer)
    {
        using var handle = new SdnTensorHandle();
        handle.Adopt(pointer);
        return Copy(pointer);
    }

    public static Tensor4 Copy(nint pointer)
    {
        int rank = NativeMethods.sdn_tensor_n_dims(pointer);
        long* dims = stackalloc long[4];
        NativeMethods.sdn_tensor_dims(pointer, dims);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = checked((int)dims[i]);
        }
        var result = new Tensor4(shape);
        long count = NativeMethods.sdn_tensor_element_count(pointer);
        if (count != result.Count)
        {
            throw new SdnException(EngineStatus.Internal, $"Native tensor reports {count} values for shape [{string.Join(", ", shape)}].");
        }
        new ReadOnlySpan<float>(NativeMethods.sdn_tensor_data(pointer), checked((int)count)).CopyTo(result.Data);
        return result;
    }
}
