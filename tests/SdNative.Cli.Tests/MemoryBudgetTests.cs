using System.Diagnostics;

namespace SdNative.Cli.Tests;

/// <summary>A size ComfyUI's limits allow but no machine here can hold fails as a runtime error
/// (exit 1) with the size and the memory available, before any big allocation.</summary>
public sealed class MemoryBudgetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-cli-memory-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AHugeEmptyLatentExits1QuicklyNamingSizeAndMemory()
    {
        await MakeTestModelCommand.WriteAsync(Path.Combine(_dir, "models", "checkpoints", "model.safetensors"), "f16", 0, CancellationToken.None);
        string workflow = Path.Combine(_dir, "huge.json");
        File.WriteAllText(workflow, """
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "model.safetensors"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 16384, "height": 16384, "batch_size": 64}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
              "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 4, "cfg": 7, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                    "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "huge", "images": ["8", 0]}}
            }
            """);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "SdNative.Cli.dll"), "run", workflow, "--base", _dir })
        {
            psi.ArgumentList.Add(a);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // VmHWM only grows: the last value read before the process ends is its peak so far.
        long peakKiB = 0;
        while (!process.WaitForExit(5))
        {
            peakKiB = Math.Max(peakKiB, HighWaterMarkKiB(process.Id));
        }
        clock.Stop();
        string err = await stderr + await stdout;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {err}");
        Assert.Contains("EmptyLatentImage of 16384x16384, batch 64 needs about", err);
        Assert.Matches(@"but only [0-9.]+ [KMGT]iB available \(MemAvailable", err);
        CliRun.AssertNoStackTrace(err);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        // The 64-image latent alone is 4 GiB; the process stays far below it.
        Assert.True(peakKiB < 1024 * 1024, $"peak RSS {peakKiB} KiB");
        string output = Path.Combine(_dir, "output");
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Any(), "a failed run wrote files");
    }

    private static long HighWaterMarkKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the check and the read.
        }
        return 0;
    }
}
