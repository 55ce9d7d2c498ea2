using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>The check a run makes before allocating: which EmptyLatentImage, which decode.</summary>
public class MemoryPreflightTests
{
    private static readonly AvailableMemory TwoGiB = new(2L << 30, 2L << 30, null);

    private static JsonObject Txt2Img1024(bool tiled)
    {
        var prompt = TestFolders.Txt2Img();
        prompt["5"]!["inputs"]!["width"] = 1024;
        prompt["5"]!["inputs"]!["height"] = 1024;
        if (tiled)
        {
            prompt["8"] = JsonNode.Parse("""{"class_type": "VAEDecodeTiled", "inputs": {"samples": ["3", 0], "vae": ["4", 2], "tile_size": 512, "overlap": 64, "temporal_size": 64, "temporal_overlap": 8}}""");
        }
        return prompt;
    }

    [Fact]
    public void AnUntiledDecodeIsCountedAtTheSmallestTileTheEngineFallsBackTo()
    {
        // Untiled, the 1024^2 decode needs 2,709,782,528 bytes (see MemoryEstimateTests) > 2 GiB,
        // but the engine tiles a decode that does not fit its budget: sampling, 1,181,483,008
        // bytes, is then the most the run needs, and it fits.
        MemoryPreflight.Check(Txt2Img1024(tiled: false), ["9"], () => TwoGiB);
        var oneGiB = new AvailableMemory(1L << 30, 1L << 30, null);
        var e = Assert.Throws<WorkflowRuntimeException>(() => MemoryPreflight.Check(Txt2Img1024(tiled: false), ["9"], () => oneGiB));
        Assert.Equal("5", e.NodeId);
        Assert.Contains("1024x1024, batch 1", e.Message);
        Assert.Contains("1.0 GiB available", e.Message);
    }

    [Fact]
    public void TheSameSizeDecodedInTilesFits()
    {
        // Tiled: decode 721,682,432 and sampling 1,181,483,008 bytes, both under 2 GiB.
        MemoryPreflight.Check(Txt2Img1024(tiled: true), ["9"], () => TwoGiB);
    }

    [Fact]
    public void ALatentNoOutputNeedsIsNotCounted()
    {
        var prompt = TestFolders.Txt2Img();
        prompt["50"] = JsonNode.Parse("""{"class_type": "EmptyLatentImage", "inputs": {"width": 16384, "height": 16384, "batch_size": 64}}""");
        MemoryPreflight.Check(prompt, ["9"], () => TwoGiB);
        prompt["3"]!["inputs"]!["latent_image"] = new JsonArray("50", 0);
        Assert.Throws<WorkflowRuntimeException>(() => MemoryPreflight.Check(prompt, ["9"], () => TwoGiB));
    }
}
