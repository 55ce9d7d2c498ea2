namespace SdNative.Tui.Engine;

/// <summary>One progress report of a running generation.</summary>
/// <param name="Step">Sampler step done (1-based), 0 while no step has finished.</param>
/// <param name="Total">Sampler steps in all (0 while not sampling).</param>
/// <param name="Stage">What runs now, in words ("sampling", "VAE decode", a node's class).</param>
/// <param name="Preview">The latent at this step as a picture, when the sampler sent one.</param>
public sealed record GenerationUpdate(int Step, int Total, string Stage, RgbImage? Preview = null);
