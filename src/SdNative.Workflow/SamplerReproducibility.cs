namespace SdNative.Workflow;

/// <summary>
/// Where a sampler's noise for a seed differs from the ComfyUI run a user would compare with.
/// Every sampler draws ComfyUI's CPU noise (initial noise, the seed+1 generator of the ancestral
/// samplers, torchsde's Brownian tree of the SDE samplers; docs/samplers.md). The <c>_gpu</c>
/// variants exist in ComfyUI only to build that tree on the GPU, where its draws come from the CUDA
/// generator, so a workflow that names one was most likely made on a GPU and will not match.
/// </summary>
public static class SamplerReproducibility
{
    /// <summary>A warning for the sampler, or null when its noise is ComfyUI's for the seed.</summary>
    public static string? Caveat(string sampler) =>
        sampler.EndsWith("_gpu", StringComparison.Ordinal)
            ? $"sampler '{sampler}' draws its Brownian-tree noise on the CPU here, as ComfyUI does when it runs on the CPU; "
              + "ComfyUI on a CUDA GPU draws it from the GPU's generator, so the image will not match a GPU run"
            : null;
}
