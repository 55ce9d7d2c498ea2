using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// The folders requests may name: input/, output/ and temp/ by their ComfyUI <c>type</c>, the
/// model folders, and user/ for the front end's settings and saved workflows. Every name from a
/// request passes <see cref="SafeRelativeName"/> before it is joined to one of them.
/// </summary>
public sealed class ServerFolders(ServerOptions options, ModelFolders models)
{
    public static readonly IReadOnlyList<string> Types = ["output", "input", "temp"];

    public ModelFolders Models => models;

    public string Temp { get; } = options.RunOptions().TempDir;

    /// <summary>ComfyUI's user directory; the single user's files live in user/default/.</summary>
    public string User { get; } = Path.Combine(options.RunOptions().ResolvedBase, "user", "default");

    /// <summary>The folder a ComfyUI file <c>type</c> names; null for any other value (never a path).</summary>
    public string? ByType(string? type) => type switch
    {
        "output" => models.OutputDir,
        "input" => models.InputDir,
        "temp" => Temp,
        _ => null,
    };

    /// <summary>
    /// <paramref name="root"/> joined with a subfolder from a request ("" is the root itself), or
    /// null with <paramref name="reason"/> when the subfolder is refused.
    /// </summary>
    public static string? Below(string root, string? subfolder, out string reason)
    {
        reason = "";
        if (string.IsNullOrEmpty(subfolder))
        {
            return root;
        }
        var parts = SafeRelativeName.Split(subfolder, out reason);
        return parts is null ? null : Path.Combine(root, Path.Combine(parts.ToArray()));
    }

    /// <summary>A file name from a request: one safe path segment (no folder part), or null with the reason.</summary>
    public static string? FileName(string? name, out string reason)
    {
        var parts = SafeRelativeName.Split(name, out reason);
        if (parts is null)
        {
            return null;
        }
        if (parts.Count != 1)
        {
            reason = "the file name has a folder part (send the folder as 'subfolder')";
            return null;
        }
        return parts[0];
    }

    /// <summary>ComfyUI's annotated names: "name.png [output]" names the file and its folder type at once.</summary>
    public static (string Name, string? Type) Annotated(string name)
    {
        foreach (var type in Types)
        {
            string suffix = $" [{type}]";
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (name[..^suffix.Length], type);
            }
        }
        return (name, null);
    }
}
