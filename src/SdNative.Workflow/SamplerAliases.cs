using System.Text;

namespace SdNative.Workflow;

/// <summary>
/// Sampler names people paste from A1111-style guides ("dpm++ 2m karras", "Euler a", "DDIM"):
/// the ComfyUI sampler they mean and, where the name says so, the scheduler.
/// </summary>
public static class SamplerAliases
{
    private static readonly Dictionary<string, string> Samplers = new()
    {
        ["euler"] = "euler",
        ["eulera"] = "euler_ancestral",
        ["eulerancestral"] = "euler_ancestral",
        ["heun"] = "heun",
        ["lms"] = "lms",
        ["dpm2"] = "dpm_2",
        ["dpm2a"] = "dpm_2_ancestral",
        ["dpm2ancestral"] = "dpm_2_ancestral",
        ["dpm++2sa"] = "dpmpp_2s_ancestral",
        ["dpm++2sancestral"] = "dpmpp_2s_ancestral",
        ["dpm++2m"] = "dpmpp_2m",
        ["dpm++sde"] = "dpmpp_sde",
        ["dpm++2msde"] = "dpmpp_2m_sde",
        ["dpm++3msde"] = "dpmpp_3m_sde",
        ["dpmfast"] = "dpm_fast",
        ["dpmadaptive"] = "dpm_adaptive",
        ["lcm"] = "lcm",
        ["ddim"] = "ddim",
        ["ddpm"] = "ddpm",
        ["unipc"] = "uni_pc",
    };

    private static readonly (string Suffix, string Scheduler)[] SchedulerSuffixes =
    [
        ("karras", "karras"),
        ("exponential", "exponential"),
    ];

    /// <summary>The sampler (and scheduler, when named) an alias stands for; null when the text
    /// is not an alias. ComfyUI's own names are not aliases.</summary>
    public static (string Sampler, string? Scheduler)? Resolve(string text)
    {
        if (NodeCatalog.Samplers.Contains(text))
        {
            return null;
        }
        // Case, spaces, '_' and '-' do not matter: "DPM++ 2M Karras" = "dpm++_2m_karras".
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (!char.IsWhiteSpace(c) && c != '_' && c != '-')
            {
                sb.Append(c);
            }
        }
        string key = sb.ToString();
        string? scheduler = null;
        foreach (var (suffix, name) in SchedulerSuffixes)
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > suffix.Length)
            {
                key = key[..^suffix.Length];
                scheduler = name;
                break;
            }
        }
        if (Samplers.TryGetValue(key, out var sampler))
        {
            return (sampler, scheduler);
        }
        // A ComfyUI name typed with other case or spacing ("DPMPP_2M").
        string? comfy = NodeCatalog.Samplers.FirstOrDefault(s => s.Replace("_", "") == key);
        return comfy is null ? null : (comfy, scheduler);
    }
}
