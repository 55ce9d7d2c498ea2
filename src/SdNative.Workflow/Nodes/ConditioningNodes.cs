namespace SdNative.Workflow.Nodes;

/// <summary>ComfyUI's conditioning nodes on managed data (nodes.py).</summary>
public static class ConditioningNodes
{
    /// <summary>Plain list concatenation (the sampler averages the predictions).</summary>
    public static Conditioning Combine(Conditioning a, Conditioning b) => a.Concat(b);

    /// <summary>to*s + from[:, :len_to]*(1-s) per entry of to (from zero-padded; only its first
    /// entry is used); pooled outputs blended the same way, or copied when only from has one.</summary>
    public static Conditioning Average(Conditioning to, Conditioning from, double toStrength)
    {
        if (from.Count == 0)
        {
            return to;
        }
        var source = from[0];
        var fromTokens = source.Tokens;
        return to.Select(entry =>
        {
            var t1 = entry.Tokens;
            int len = t1.Dim(1), width = t1.Dim(2), lenFrom = fromTokens.Dim(1);
            var mixed = new Tensor4(t1.Shape);
            for (int i = 0; i < len; i++)
            {
                for (int k = 0; k < width; k++)
                {
                    long at = (long)i * width + k;
                    double f = i < lenFrom ? fromTokens.Data[(long)i * fromTokens.Dim(2) + k] : 0.0;
                    mixed.Data[at] = (float)(t1.Data[at] * toStrength + f * (1.0 - toStrength));
                }
            }
            // pooled_output_to defaults to from's, as in ComfyUI.
            var pooledTo = entry.Pooled ?? source.Pooled;
            Tensor4? pooled = entry.Pooled;
            if (source.Pooled is not null && pooledTo is not null)
            {
                pooled = new Tensor4(pooledTo.Shape);
                for (long i = 0; i < pooled.Count; i++)
                {
                    pooled.Data[i] = (float)(pooledTo.Data[i] * toStrength + source.Pooled.Data[i] * (1.0 - toStrength));
                }
            }
            return entry with { Tokens = mixed, Pooled = pooled };
        });
    }

    /// <summary>area = (height//8, width//8, y//8, x//8) and strength on every entry.</summary>
    public static Conditioning SetArea(Conditioning conditioning, int width, int height, int x, int y, double strength) =>
        conditioning.Select(e => e with { Area = (height / 8, width / 8, y / 8, x / 8), Strength = (float)strength, SetAreaToBounds = false });

    /// <summary>ConditioningSetMask: mask ([H, W] becomes [1, H, W]), mask_strength and, for
    /// set_cond_area "mask bounds", set_area_to_bounds on every entry.</summary>
    public static Conditioning SetMask(Conditioning conditioning, MaskBatch mask, double strength, string setCondArea) =>
        conditioning.Select(e => e with { Mask = mask, MaskStrength = (float)strength, SetAreaToBounds = setCondArea != "default" });

    /// <summary>ConditioningZeroOut: zero tokens, and a zero pooled output where there is one.</summary>
    public static Conditioning ZeroOut(Conditioning conditioning) =>
        conditioning.Select(e => e with
        {
            Tokens = new Tensor4(e.Tokens.Shape),
            Pooled = e.Pooled is null ? null : new Tensor4(e.Pooled.Shape),
        });

    /// <summary>ConditioningSetTimestepRange: start_percent/end_percent on every entry.</summary>
    public static Conditioning SetTimestepRange(Conditioning conditioning, double start, double end) =>
        conditioning.Select(e => e with { StartPercent = (float)start, EndPercent = (float)end });

    internal static Task<object?[]> Combine(NodeExecution e) =>
        LatentNodes.Done(Combine(e.Get<Conditioning>("conditioning_1"), e.Get<Conditioning>("conditioning_2")));

    internal static Task<object?[]> Average(NodeExecution e) =>
        LatentNodes.Done(Average(e.Get<Conditioning>("conditioning_to"), e.Get<Conditioning>("conditioning_from"), e.Float("conditioning_to_strength")));

    internal static Task<object?[]> SetArea(NodeExecution e) =>
        LatentNodes.Done(SetArea(e.Get<Conditioning>("conditioning"), (int)e.Int("width"), (int)e.Int("height"), (int)e.Int("x"), (int)e.Int("y"), e.Float("strength")));

    internal static Task<object?[]> SetMask(NodeExecution e) =>
        LatentNodes.Done(SetMask(e.Get<Conditioning>("conditioning"), e.Get<MaskBatch>("mask"), e.Float("strength"), e.Str("set_cond_area")));

    internal static Task<object?[]> ZeroOut(NodeExecution e) =>
        LatentNodes.Done(ZeroOut(e.Get<Conditioning>("conditioning")));

    internal static Task<object?[]> SetTimestepRange(NodeExecution e) =>
        LatentNodes.Done(SetTimestepRange(e.Get<Conditioning>("conditioning"), e.Float("start"), e.Float("end")));

    internal static Task<object?[]> ClipSetLastLayer(NodeExecution e) =>
        LatentNodes.Done(e.Get<ClipRef>("clip") with { StopAtLayer = (int)e.Int("stop_at_clip_layer") });
}
