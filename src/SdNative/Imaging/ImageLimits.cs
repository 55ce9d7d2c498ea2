namespace SdNative.Imaging;

/// <summary>
/// Limits checked before and while an image file is decoded, against decompression bombs and
/// crafted headers. The header is read first; nothing is decoded when the declared size breaks
/// a limit, and the decoder's memory allocator refuses more than <see cref="MaxDecodeMegabytes"/>.
/// </summary>
public sealed record ImageLimits(
    long MaxFileBytes = 256L * 1024 * 1024,
    int MaxWidth = 16384,
    int MaxHeight = 16384,
    long MaxPixels = 64L * 1024 * 1024,
    int MaxFrames = 64,
    int MaxDecodeMegabytes = 2048)
{
    public static ImageLimits Default { get; } = new();
}
