namespace SdNative.Tests;

/// <summary>The memory estimate against numbers worked out by hand from the SD1.x layer sizes
/// (see the constants' comments), and the available-memory reading from given file texts.</summary>
public class MemoryEstimateTests
{
    [Fact]
    public void PerPositionConstantsAddUpAsDerived()
    {
        // skips: 960 + 1600/4 + 3200/16 + 3840/64 = 960 + 400 + 200 + 60
        Assert.Equal(1620, MemoryEstimate.UnetSkipFloats);
        // 640 + 320 + 1280 + 3840 + 1280
        Assert.Equal(7360, MemoryEstimate.UnetBlockFloats);
        Assert.Equal(640, MemoryEstimate.VaeDecoderFloatsPerPixel);
    }

    [Fact]
    public void FiveTwelveSquareBatchOne()
    {
        var e = MemoryEstimate.For(1, 512, 512);
        // latent 1 x 4 x 64 x 64 floats
        Assert.Equal(65_536, e.LatentBytes);
        // 17 latents (1,114,112) + 2 UNet items x 8980 floats x 4096 positions x 4 B (294,256,640)
        Assert.Equal(295_370_752, e.SamplingBytes);
        // latent 65,536 + 2 x 3 x 262,144 px x 4 B (6,291,456) + 640 x 262,144 x 4 B (671,088,640)
        Assert.Equal(677_445_632, e.DecodeBytes);
        Assert.Equal(677_445_632, e.PeakBytes);
    }

    [Fact]
    public void TilingBoundsTheDecoderToOneTile()
    {
        var e = MemoryEstimate.For(1, 1024, 1024, new VaeTiling(TileSize: 512));
        // latent 4 x 128 x 128 x 4 B = 262,144; images 2 x 3 x 1,048,576 x 4 B = 25,165,824;
        // one 512^2 tile: 640 x 262,144 x 4 B = 671,088,640; sum and tile result 6 x 1,048,576 x 4 B = 25,165,824
        Assert.Equal(721_682_432, e.DecodeBytes);
        // untiled the decoder works on all 1,048,576 pixels: 640 x 1,048,576 x 4 B = 2,684,354,560
        Assert.Equal(262_144 + 25_165_824 + 2_684_354_560L, MemoryEstimate.For(1, 1024, 1024).DecodeBytes);
    }

    [Fact]
    public void TheKillerSizeIsTerabytesAndSaysSo()
    {
        var e = MemoryEstimate.For(64, 16384, 16384);
        // latent 64 x 4 x 2048 x 2048 x 4 B = 4 GiB exactly
        Assert.Equal(4L << 30, e.LatentBytes);
        // 17 x 4 GiB + 128 x 8980 x 4,194,304 x 4 B
        Assert.Equal(17 * (4L << 30) + 128L * 8980 * 4_194_304 * 4, e.SamplingBytes);
        var available = new AvailableMemory(16L << 30, 16L << 30, null);
        var error = Assert.Throws<SdnException>(() => e.EnsureFits("EmptyLatentImage", e.PeakBytes, available));
        Assert.Equal(EngineStatus.OutOfMemory, error.Status);
        Assert.Contains("16384x16384, batch 64", error.Message);
        Assert.Contains("17.6 TiB", error.Message);
        Assert.Contains("16.0 GiB available", error.Message);
        e.EnsureFits("fits", 16L << 30, available);
    }

    [Fact]
    public void MemAvailableIsReadInKibibytes()
    {
        Assert.Equal(24_144_116L * 1024, AvailableMemory.ParseMemAvailable("MemTotal:       32000000 kB\nMemFree:         1000 kB\nMemAvailable:   24144116 kB\n"));
        Assert.Null(AvailableMemory.ParseMemAvailable("MemTotal: 1 kB\n"));
    }

    [Fact]
    public void TheTightestCgroupAboveTheProcessWins()
    {
        var files = new Dictionary<string, string>
        {
            ["/proc/meminfo"] = "MemAvailable:   8388608 kB\n", // 8 GiB
            ["/sys/fs/cgroup/app.slice/job/memory.max"] = "max\n",
            ["/sys/fs/cgroup/app.slice/job/memory.current"] = "100\n",
            ["/sys/fs/cgroup/app.slice/memory.max"] = "3221225472\n", // 3 GiB
            ["/sys/fs/cgroup/app.slice/memory.current"] = "1073741824\n", // 1 GiB used
        };
        var memory = AvailableMemory.From(p => files.GetValueOrDefault(p), "0::/app.slice/job\n");
        Assert.Equal(8L << 30, memory.MemAvailableBytes);
        Assert.Equal(2L << 30, memory.CgroupRoomBytes);
        Assert.Equal(2L << 30, memory.Bytes);
        Assert.Contains("2.0 GiB available", memory.ToString());
    }

    [Fact]
    public void AnUnlimitedV1CgroupLeavesMemAvailable()
    {
        var files = new Dictionary<string, string>
        {
            ["/proc/meminfo"] = "MemAvailable:   1048576 kB\n",
            ["/sys/fs/cgroup/memory/batch/memory.limit_in_bytes"] = "9223372036854771712\n",
            ["/sys/fs/cgroup/memory/batch/memory.usage_in_bytes"] = "3390287872\n",
        };
        var memory = AvailableMemory.From(p => files.GetValueOrDefault(p), "4:memory:/batch\n1:cpu:/\n0::/\n");
        Assert.Null(memory.CgroupRoomBytes);
        Assert.Equal(1L << 30, memory.Bytes);
    }

    [Fact]
    public void ThisMachineReportsSomething()
    {
        var memory = AvailableMemory.Read();
        Assert.InRange(memory.Bytes, 1L << 20, memory.MemAvailableBytes);
    }
}
