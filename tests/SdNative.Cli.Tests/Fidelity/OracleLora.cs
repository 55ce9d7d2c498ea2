using System.Diagnostics;
using System.Security.Cryptography;

namespace SdNative.Cli.Tests.Fidelity;

/// <summary>The models folder of the LoRA oracle cases: the SD1.5 oracle checkpoint linked into
/// checkpoints/ and the random LoRA written by the shared generator (about 1 s; it is weights,
/// so never committed) into loras/, checked against the size and sha256 its README gives.</summary>
public static class OracleLora
{
    public const string FileName = "sd15-random-lora.safetensors";
    private const long ExpectedSize = 9_547_984;
    private const string ExpectedSha256 = "95280d6d386886334961ac5ff6777a27626cb89d13e9575aa55889aed4c55458";

    /// <summary>Builds &lt;work&gt;/models and returns its path.</summary>
    public static string ModelsWithLora(string shared, string checkpoint, string work)
    {
        var models = Path.Combine(work, "models");
        var checkpoints = Directory.CreateDirectory(Path.Combine(models, "checkpoints")).FullName;
        var loras = Directory.CreateDirectory(Path.Combine(models, "loras")).FullName;
        File.CreateSymbolicLink(Path.Combine(checkpoints, Path.GetFileName(checkpoint)), checkpoint);
        var lora = Path.Combine(loras, FileName);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(shared, "oracle", "make_random_lora.py"));
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(lora);
        psi.ArgumentList.Add("--seed");
        psi.ArgumentList.Add("0");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(lora), $"could not write the oracle LoRA (needs python3-numpy):\n{stdout}\n{stderr}");
        Assert.Equal(ExpectedSize, new FileInfo(lora).Length);
        using (var stream = File.OpenRead(lora))
        {
            Assert.Equal(ExpectedSha256, Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant());
        }
        return models;
    }
}
