using SdNative.Workflow.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>ConditioningSetMask, ConditioningZeroOut and ConditioningSetTimestepRange: the entry
/// options they set, and what the sampler makes of them on the tiny model (one Euler step, so
/// the result is the guided prediction itself and regions can be compared).</summary>
public sealed class ConditioningOptionNodeTests : IAsyncLifetime
{
    private readonly TestFolders _folders = new();
    private SdnEngine _engine = null!;
    private Checkpoint _model = null!;
    private Conditioning _a = null!, _b = null!, _negative = null!;

    public async Task InitializeAsync()
    {
        string path = Path.Combine(_folders.Base, "models", "checkpoints", TinyModel.FileName);
        await TinyModel.WriteAsync(path);
        _engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        _model = await Checkpoint.LoadAsync(_engine, path, new CheckpointLoadOptions(LoadVae: false, TokenizerPath: TinyModel.Vocabulary()));
        _a = await _model.Clip!.EncodeAsync("a red house by the sea");
        _b = await _model.Clip!.EncodeAsync("a forest at night");
        _negative = await _model.Clip!.EncodeAsync("");
    }

    public Task DisposeAsync()
    {
        _model.Dispose();
        _engine.Dispose();
        _folders.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A 128x128 (16x16 latent) txt2img run, seed 5, cfg 4.</summary>
    private async Task<Tensor4> Sample(Conditioning positive, Conditioning? negative = null, int steps = 1, float cfg = 4f)
    {
        var settings = new SamplerSettings(Sampler: "euler", Scheduler: "normal", Steps: steps, Cfg: cfg, Seed: 5);
        var result = await _model.Model!.SampleAsync(settings, positive, negative ?? _negative, Latent.Empty(128, 128));
        return result.Samples;
    }

    /// <summary>Largest |a - b| over latent columns [x0, x1) of every row and channel.</summary>
    private static double MaxDifference(Tensor4 a, Tensor4 b, int x0 = 0, int x1 = 16)
    {
        double max = 0;
        for (long i = 0; i < a.Count; i++)
        {
            long x = i % a.Dim(3);
            if (x >= x0 && x < x1)
            {
                max = Math.Max(max, Math.Abs(a.Data[i] - b.Data[i]));
            }
        }
        return max;
    }

    /// <summary>A [1, 128, 128] mask that is 1 on image columns from 64 on (latent columns 8..15).</summary>
    private static MaskBatch RightHalf()
    {
        var mask = new MaskBatch(1, 128, 128);
        for (int y = 0; y < 128; y++)
        {
            for (int x = 64; x < 128; x++)
            {
                mask.Values.Data[y * 128 + x] = 1f;
            }
        }
        return mask;
    }

    [Fact]
    public void NodesSetComfysEntryOptions()
    {
        var mask = RightHalf();
        var masked = ConditioningNodes.SetMask(_a, mask, 0.7, "mask bounds");
        Assert.Same(mask, masked[0].Mask);
        Assert.Equal(0.7f, masked[0].MaskStrength);
        Assert.True(masked[0].SetAreaToBounds);
        Assert.Equal(1f, masked[0].Strength); // ConditioningSetArea's strength is another option
        Assert.False(ConditioningNodes.SetMask(_a, mask, 1, "default")[0].SetAreaToBounds);
        Assert.False(ConditioningNodes.SetArea(masked, 64, 64, 0, 0, 1)[0].SetAreaToBounds);

        var ranged = ConditioningNodes.SetTimestepRange(_a, 0.25, 0.75);
        Assert.Equal((0.25f, 0.75f), (ranged[0].StartPercent, ranged[0].EndPercent));

        var zero = ConditioningNodes.ZeroOut(ConditioningNodes.Combine(masked, _b));
        Assert.Equal(2, zero.Count);
        Assert.All(zero, e => Assert.All(e.Tokens.Data, v => Assert.Equal(0f, v)));
        Assert.All(zero, e => Assert.All(e.Pooled!.Data, v => Assert.Equal(0f, v)));
        Assert.Equal(_a[0].Tokens.Shape, zero[0].Tokens.Shape);
        Assert.Equal(_a[0].Pooled!.Shape, zero[0].Pooled!.Shape);
        Assert.Same(mask, zero[0].Mask); // other options are kept
        Assert.Contains(_a[0].Tokens.Data, v => v != 0f);
        var noPooled = new Conditioning(_a[0] with { Pooled = null });
        Assert.Null(ConditioningNodes.ZeroOut(noPooled)[0].Pooled);
    }

    [Fact]
    public async Task ZeroedPromptsAreIndistinguishable()
    {
        var zeroA = await Sample(ConditioningNodes.ZeroOut(_a));
        var zeroB = await Sample(ConditioningNodes.ZeroOut(_b));
        Assert.Equal(0.0, MaxDifference(zeroA, zeroB));
        Assert.True(MaxDifference(await Sample(_a), await Sample(_b)) > 1e-3, "the prompts themselves do not change the result");
    }

    [Fact]
    public async Task TimestepRangeSwitchesAnEntryOnlyWhereTheScheduleIsInside()
    {
        // Starting at 100 % of the schedule (sigma 0) the entry never runs: as if it were absent.
        var never = await Sample(ConditioningNodes.Combine(_a, ConditioningNodes.SetTimestepRange(_b, 1.0, 1.0)), steps: 3);
        Assert.Equal(0.0, MaxDifference(never, await Sample(_a, steps: 3)));
        // 0..1 covers every step: as if no range were set.
        var always = await Sample(ConditioningNodes.Combine(_a, ConditioningNodes.SetTimestepRange(_b, 0.0, 1.0)), steps: 3);
        var combined = await Sample(ConditioningNodes.Combine(_a, _b), steps: 3);
        Assert.Equal(0.0, MaxDifference(always, combined));
        Assert.True(MaxDifference(combined, never) > 1e-3);
        // From 50 % on: the first (noisiest) of 3 steps runs without it, so the result is neither.
        var late = await Sample(ConditioningNodes.Combine(_a, ConditioningNodes.SetTimestepRange(_b, 0.5, 1.0)), steps: 3);
        Assert.True(MaxDifference(late, combined) > 1e-4);
        Assert.True(MaxDifference(late, never) > 1e-4);
    }

    [Fact]
    public async Task MaskLimitsTheEntryToItsRegion()
    {
        var full = new MaskBatch(1, 128, 128, 1f);
        // A mask of ones at strength 1 weighs the entry as no mask does.
        Assert.Equal(0.0, MaxDifference(
            await Sample(ConditioningNodes.Combine(_b, ConditioningNodes.SetMask(_a, full, 1.0, "default"))),
            await Sample(ConditioningNodes.Combine(_b, _a))));

        // Entry a only on the right half: the left half is b's prediction alone (one step, so no
        // later step mixes the halves), the right half is the average of a and b.
        var bOnly = await Sample(_b);
        var both = await Sample(ConditioningNodes.Combine(_b, _a));
        var rightA = await Sample(ConditioningNodes.Combine(_b, ConditioningNodes.SetMask(_a, RightHalf(), 1.0, "default")));
        Assert.True(MaxDifference(rightA, bOnly, 0, 8) < 1e-4, "masked-out region changed");
        Assert.True(MaxDifference(rightA, both, 8, 16) < 1e-4, "masked region lost the entry");
        Assert.True(MaxDifference(rightA, bOnly, 8, 16) > 1e-3);

        // Where no positive entry applies the prediction is 0 (ComfyUI divides a zero sum by a
        // count of 1e-37); at cfg 1 the uncond is not evaluated, and one Euler step to sigma 0
        // returns that prediction.
        var alone = await Sample(ConditioningNodes.SetMask(_a, RightHalf(), 1.0, "default"), cfg: 1f);
        Assert.True(MaxDifference(alone, new Tensor4(alone.Shape), 0, 8) < 1e-4, "uncovered region is not 0");
        Assert.True(MaxDifference(alone, new Tensor4(alone.Shape), 8, 16) > 1e-2);

        // Strength 0 switches the entry off everywhere.
        var off = await Sample(ConditioningNodes.Combine(_b, ConditioningNodes.SetMask(_a, full, 0.0, "default")));
        Assert.True(MaxDifference(off, bOnly) < 1e-4);

        // "mask bounds" runs the model on the mask's bounding box only: the left half is still
        // b alone, the right half is a's prediction on the cropped input, not the full one.
        var bounded = await Sample(ConditioningNodes.Combine(_b, ConditioningNodes.SetMask(_a, RightHalf(), 1.0, "mask bounds")));
        Assert.True(MaxDifference(bounded, bOnly, 0, 8) < 1e-4, "region outside the bounds changed");
        Assert.True(MaxDifference(bounded, rightA, 8, 16) > 1e-4, "mask bounds did not crop the model input");
    }
}
