namespace SdNative.Tui.Workflow;

/// <summary>ComfyUI's control_after_generate: what happens to the seed once a run is queued.</summary>
public enum SeedControl
{
    Fixed,
    Increment,
    Decrement,
    Randomize,
}

/// <summary>The seed rule ComfyUI's front end applies after queueing: a step of one, wrapping at
/// the input's min and max; randomize draws uniformly from the whole range.</summary>
public static class SeedRule
{
    public static ulong Next(ulong seed, SeedControl control, ulong min, ulong max, Random random) => control switch
    {
        SeedControl.Increment => seed >= max ? min : seed + 1,
        SeedControl.Decrement => seed <= min ? max : seed - 1,
        SeedControl.Randomize => min + Draw(random, max - min),
        _ => seed,
    };

    public static string Name(SeedControl control) => control.ToString().ToLowerInvariant();

    public static bool TryParse(string text, out SeedControl control) =>
        Enum.TryParse(text, ignoreCase: true, out control) && Enum.IsDefined(control);

    /// <summary>Uniform in [0, span] for any span, including the full 64-bit range.</summary>
    private static ulong Draw(Random random, ulong span)
    {
        ulong value = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
        return span == ulong.MaxValue ? value : value % (span + 1);
    }
}
