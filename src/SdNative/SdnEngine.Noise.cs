using SdNative.Interop;

namespace SdNative;

public sealed partial class SdnEngine
{
    /// <summary>ComfyUI's initial noise (prepare_noise) for a latent shape [B, C, h, w] and seed;
    /// with batchIndex, item i gets the noise of batch position batchIndex[i].</summary>
    public unsafe Task<Tensor4> NoiseAsync(ulong seed, int[] shape, IReadOnlyList<int>? batchIndex = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != 4)
        {
            throw new ArgumentException("Noise is made for a [B, C, h, w] latent shape.", nameof(shape));
        }
        var dims = shape.Select(d => (long)d).ToArray();
        var indices = batchIndex?.Select(i => (long)i).ToArray() ?? [];
        return RunAsync("Noise generation", (nint ctx, out Tensor4 result) =>
        {
            nint noise = 0;
            SdnStatus status;
            fixed (long* d = dims)
            fixed (long* bi = indices)
            {
                status = NativeMethods.sdn_noise_generate(ctx, seed, d, indices.Length == 0 ? null : bi, indices.Length, &noise);
            }
            Tensor4? tensor = noise == 0 ? null : NativeTensor.TakeOwnership(noise);
            result = status == SdnStatus.Ok ? tensor! : null!;
            return status;
        }, null, cancellationToken);
    }
}
