namespace SdNative;

/// <summary>VAEEncodeTiled / VAEDecodeTiled settings, in pixels.</summary>
public sealed record VaeTiling(int TileSize = 512, int Overlap = 64);
