using SdNative.Workflow;

namespace SdNative.Workflow.Tests;

/// <summary>The validation warning for samplers whose noise cannot match the ComfyUI run a workflow came from.</summary>
public class SamplerReproducibilityTests
{
    private static ValidationResult ValidateWithSampler(string sampler)
    {
        using var folders = new TestFolders();
        var prompt = TestFolders.Txt2Img();
        prompt["3"]!["inputs"]!["sampler_name"] = sampler;
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        return runner.Validate(prompt.ToJsonString(), folders.Options);
    }

    [Theory]
    [InlineData("dpmpp_sde_gpu")]
    [InlineData("dpmpp_2m_sde_gpu")]
    [InlineData("dpmpp_2m_sde_heun_gpu")]
    [InlineData("dpmpp_3m_sde_gpu")]
    public void GpuTreeSamplersAreValidButWarnThatAGpuRunWillNotMatch(string sampler)
    {
        var result = ValidateWithSampler(sampler);
        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"node 3 (KSampler): sampler '{sampler}'", warning);
        Assert.Contains("GPU", warning);
    }

    [Theory]
    [InlineData("dpmpp_sde")]
    [InlineData("dpmpp_2m_sde")]
    [InlineData("dpmpp_2m_sde_heun")]
    [InlineData("dpmpp_3m_sde")]
    [InlineData("euler_ancestral")]
    [InlineData("euler")]
    public void SamplersWithComfyUIsNoiseValidateWithoutWarnings(string sampler)
    {
        var result = ValidateWithSampler(sampler);
        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }
}
