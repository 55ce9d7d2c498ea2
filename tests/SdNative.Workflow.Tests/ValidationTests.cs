using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

public class ValidationTests
{
    private static ValidationResult Validate(JsonObject prompt, TestFolders folders, Func<string, bool>? supported = null)
    {
        using var runner = new WorkflowRunner(samplerSupported: supported ?? (_ => true));
        return runner.Validate(prompt.ToJsonString(), folders.Options);
    }

    [Fact]
    public void ValidWorkflowPassesAndFloatsAreWrittenBackAsFloats()
    {
        using var folders = new TestFolders();
        var result = Validate(TestFolders.Txt2Img(), folders);
        Assert.True(result.IsValid);
        Assert.Equal(["9"], result.Outputs);
        Assert.Empty(result.NodeErrors);
        // cfg 7 and denoise 1 are FLOAT inputs: json.dumps writes them as 7.0 and 1.0; seed stays 1.
        string saved = PythonJson.Dumps(result.Prompt!["3"]!["inputs"]);
        Assert.Contains("\"cfg\": 7.0", saved);
        Assert.Contains("\"denoise\": 1.0", saved);
        Assert.Contains("\"seed\": 1,", saved);
    }

    [Fact]
    public void IntInputsTruncateFloatsAndParseStrings()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["steps"] = 4.9;
        prompt["5"]!["inputs"]!["width"] = "64";
        var result = Validate(prompt, folders);
        Assert.True(result.IsValid);
        Assert.Equal("4", result.Prompt!["3"]!["inputs"]!["steps"]!.ToJsonString());
        Assert.Equal("64", result.Prompt!["5"]!["inputs"]!["width"]!.ToJsonString());
    }

    [Fact]
    public void SeedMaximumIsTheFull64BitRange()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["seed"] = JsonNode.Parse("18446744073709551615");
        Assert.True(Validate(prompt, folders).IsValid);
        prompt["3"]!["inputs"]!["seed"] = JsonNode.Parse("18446744073709551616");
        var result = Validate(prompt, folders);
        Assert.Equal("value_bigger_than_max", result.NodeErrors["3"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Value 18446744073709551616 bigger than max of 18446744073709551615", result.NodeErrors["3"]!["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void EveryErrorIsReportedAtOnce()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["steps"] = 0;
        prompt["3"]!["inputs"]!["cfg"] = -1;
        prompt["5"]!["inputs"]!["batch_size"] = 0;
        var result = Validate(prompt, folders);
        Assert.False(result.IsValid);
        Assert.Equal(2, result.NodeErrors["3"]!["errors"]!.AsArray().Count);
        Assert.Single(result.NodeErrors["5"]!["errors"]!.AsArray());
        Assert.Equal("", result.Error!["details"]!.GetValue<string>());
    }

    [Fact]
    public void ValidOutputsRunWhileFailedOnesAreListed()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["20"] = JsonNode.Parse("""{"class_type": "LoadImage", "inputs": {"image": "example.png"}}""");
        prompt["21"] = JsonNode.Parse("""{"class_type": "SaveImage", "inputs": {"images": ["20", 0], "filename_prefix": "copy"}}""");
        prompt["3"]!["inputs"]!["steps"] = 0;
        var result = Validate(prompt, folders);
        Assert.True(result.IsValid);
        Assert.Equal(["21"], result.Outputs);
        Assert.Equal("""["9"]""", result.NodeErrors["3"]!["dependent_outputs"]!.ToJsonString());
    }

    [Fact]
    public void ValueWrappedInDunderValueIsUnwrapped()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["steps"] = JsonNode.Parse("""{"__value__": 5}""");
        var result = Validate(prompt, folders);
        Assert.True(result.IsValid);
        Assert.Equal("5", result.Prompt!["3"]!["inputs"]!["steps"]!.ToJsonString());
    }

    [Theory]
    [InlineData("dpm++ 2m karras", "dpmpp_2m", "karras")]
    [InlineData("DPM++ 2M Karras", "dpmpp_2m", "karras")]
    [InlineData("DPM++ SDE Karras", "dpmpp_sde", "karras")]
    [InlineData("Euler a", "euler_ancestral", null)]
    [InlineData("euler_a", "euler_ancestral", null)]
    [InlineData("DDIM", "ddim", null)]
    [InlineData("Euler", "euler", null)]
    [InlineData("Heun", "heun", null)]
    [InlineData("LMS", "lms", null)]
    [InlineData("LMS Karras", "lms", "karras")]
    [InlineData("DPM2", "dpm_2", null)]
    [InlineData("DPM2 a", "dpm_2_ancestral", null)]
    [InlineData("DPM2 a Karras", "dpm_2_ancestral", "karras")]
    [InlineData("DPM++ 2S a", "dpmpp_2s_ancestral", null)]
    [InlineData("DPM++ 2M SDE", "dpmpp_2m_sde", null)]
    [InlineData("DPM++ 2M SDE Exponential", "dpmpp_2m_sde", "exponential")]
    [InlineData("DPM fast", "dpm_fast", null)]
    [InlineData("DPM adaptive", "dpm_adaptive", null)]
    [InlineData("LCM", "lcm", null)]
    [InlineData("UniPC", "uni_pc", null)]
    [InlineData("  dpm++   2m  ", "dpmpp_2m", null)]
    public void PastedSamplerNamesMapToComfyNames(string written, string sampler, string? scheduler)
    {
        Assert.Equal((sampler, scheduler), SamplerAliases.Resolve(written));
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("dpmpp_2m")]
    [InlineData("turbo")]
    [InlineData("karras")]
    public void ComfyNamesAndNonsenseAreNotAliases(string written)
    {
        Assert.Null(SamplerAliases.Resolve(written));
    }

    [Fact]
    public void AliasIsAcceptedWithAWarningAndItsSchedulerWins()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["sampler_name"] = "dpm++ 2m karras";
        var result = Validate(prompt, folders);
        Assert.True(result.IsValid);
        Assert.Equal(new SamplerChoice("dpm++ 2m karras", "dpmpp_2m", "karras"), result.SamplerChoices["3"]);
        Assert.Contains(result.Warnings, w => w.Contains("dpmpp_2m") && w.Contains("karras"));
        // The saved prompt keeps what the user wrote.
        Assert.Equal("dpm++ 2m karras", result.Prompt!["3"]!["inputs"]!["sampler_name"]!.GetValue<string>());
    }

    [Fact]
    public void SamplerTheEngineLacksIsRefusedNotReplaced()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["sampler_name"] = "uni_pc";
        var result = Validate(prompt, folders, name => name != "uni_pc");
        Assert.False(result.IsValid);
        var reason = result.NodeErrors["3"]!["errors"]![0]!;
        Assert.Equal("value_not_in_list", reason["type"]!.GetValue<string>());
        Assert.Contains("uni_pc", reason["details"]!.GetValue<string>());
        // An alias of it is refused the same way.
        prompt["3"]!["inputs"]!["sampler_name"] = "UniPC";
        Assert.False(Validate(prompt, folders, name => name != "uni_pc").IsValid);
    }

    [Fact]
    public void LinkCycleIsAnErrorNotACrash()
    {
        using var folders = new TestFolders();
        var prompt = (JsonObject)JsonNode.Parse("""
            {
              "1": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}},
              "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
              "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}
            }
            """)!;
        var result = Validate(prompt, folders);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void ANodeLinkedToItselfIsADependencyCycleNamingIt()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["11"] = JsonNode.Parse("""{"class_type": "LatentUpscaleBy", "inputs": {"samples": ["11", 0], "upscale_method": "nearest-exact", "scale_by": 1.5}}""");
        prompt["8"]!["inputs"]!["samples"] = new JsonArray("11", 0);
        var result = Validate(prompt, folders);
        Assert.False(result.IsValid);
        // Only the node on the cycle is named: VAEDecode fails because of it, with no error of its own.
        Assert.Equal(["11"], result.NodeErrors.Select(kv => kv.Key));
        var reason = result.NodeErrors["11"]!["errors"]![0]!;
        Assert.Equal("dependency_cycle", reason["type"]!.GetValue<string>());
        Assert.Equal("""["11"]""", reason["extra_info"]!["nodes"]!.ToJsonString());
        Assert.Contains("Dependency cycle detected: 11 (LatentUpscaleBy) -> 11 (LatentUpscaleBy)", result.ConsoleText());
    }

    [Fact]
    public void ACycleAboveAValidBranchStillLetsOtherOutputsRun()
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["20"] = JsonNode.Parse("""{"class_type": "ImageInvert", "inputs": {"image": ["21", 0]}}""");
        prompt["21"] = JsonNode.Parse("""{"class_type": "ImageInvert", "inputs": {"image": ["20", 0]}}""");
        prompt["22"] = JsonNode.Parse("""{"class_type": "SaveImage", "inputs": {"filename_prefix": "loop", "images": ["21", 0]}}""");
        var result = Validate(prompt, folders);
        Assert.True(result.IsValid);
        Assert.Equal(["9"], result.Outputs);
        Assert.Equal(["20", "21"], result.NodeErrors.Where(kv => kv.Value!["errors"]!.AsArray().Count > 0).Select(kv => kv.Key).Order());
        Assert.Contains("21 (ImageInvert) -> 20 (ImageInvert) -> 21 (ImageInvert)", result.NodeErrors["20"]!["errors"]![0]!["details"]!.GetValue<string>());
    }
}
