using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>
/// Every example workflow on the first Vulkan device (Mesa's lavapipe in CI), shrunk as in
/// <see cref="ExampleWorkflowTests"/>, gives the CPU's images. Both backends compute in float32;
/// their results differ by summation order only (about 1e-5 of the latent's scale, see the
/// native VulkanModels test), which moves a few 8-bit pixels by one step: measured mean
/// differences are 2e-7 to 2e-6 of full scale, so the bound is 2e-5 (one step in every 200
/// values). A 1% error in one activation shader exceeds it.
/// </summary>
public class ExampleWorkflowVulkanTests
{
    [SkippableTheory]
    [MemberData(nameof(ExampleWorkflowTests.Examples), MemberType = typeof(ExampleWorkflowTests))]
    public async Task ExampleGivesTheCpusImagesOnVulkan(string name, int images, int size)
    {
        string vocab = ExampleWorkflowTests.SharedVocabulary();
        RequireVulkanDevice();
        using var folders = new TestFolders();
        ExampleWorkflowTests.WriteInputs(folders.Input);
        await TinyModel.WriteAsync(Path.Combine(folders.Base, "models", "checkpoints", ExampleWorkflowTests.CheckpointName));
        var prompt = WorkflowDocument.Parse(File.ReadAllText(Path.Combine(TestFolders.RepoRoot(), "examples", name + ".json"))).Prompt;
        ExampleWorkflowTests.Shrink(prompt);

        async Task<List<ImageBatch>> Run(ComputeDevice device, string prefix)
        {
            foreach (var (_, node) in prompt)
            {
                if (node!["class_type"]!.GetValue<string>() == "SaveImage")
                {
                    node["inputs"]!["filename_prefix"] = prefix;
                }
            }
            using var runner = new WorkflowRunner();
            var result = await runner.RunAsync(prompt.ToJsonString(), folders.Options with { TokenizerPath = vocab, Threads = 2, Device = device, CpuVariant = Float32CpuVariant() });
            return result.FilesWritten.Select(f => ImageLoader.LoadImage(f).Image).ToList();
        }

        var cpu = await Run(ComputeDevice.Cpu, "cpu");
        var gpu = await Run(ComputeDevice.Vulkan(0), "vulkan");
        Assert.Equal(images, gpu.Count);
        for (int i = 0; i < images; i++)
        {
            Assert.Equal((size, size), (gpu[i].Width, gpu[i].Height));
            var difference = ImageRegions.MeanAbsDifference(cpu[i], gpu[i]);
            Assert.True(difference < 2e-5, $"{name} image {i} differs between the CPU and Vulkan by {difference}");
        }
    }

    /// <summary>
    /// The fastest CPU variant with float32 products: the default on CPUs with AMX or AVX512-BF16
    /// rounds products to bfloat16, which moves pixels far more than summation order does.
    /// </summary>
    private static CpuVariant Float32CpuVariant()
    {
        var best = SystemInfo.Read().BestCpuVariant;
        return best is CpuVariant.Avx512Amx or CpuVariant.Avx512Bf16 ? CpuVariant.Avx512 : best;
    }

    /// <summary>Skips without a Vulkan device, except under CI=true where lavapipe is installed.</summary>
    private static void RequireVulkanDevice()
    {
        if (GpuDevice.List().Count > 0)
        {
            return;
        }
        bool lavapipeInstalled = File.Exists("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json");
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) && lavapipeInstalled)
        {
            throw new InvalidOperationException("CI=true and lavapipe is installed, but no Vulkan device was found");
        }
        Skip.If(true, "no Vulkan device on this machine");
    }
}
