namespace SdNative.Workflow;

/// <summary>
/// The one check every file name from outside (a workflow's ckpt_name or image, and later a
/// name sent over the network) passes before it touches the disk. The name is judged by its
/// text alone: it must be a relative path that stays below its folder however it is decoded
/// or joined, on any system. What the name then points at on disk is the user's business:
/// symbolic links the user placed inside the folders are followed, as ComfyUI follows them.
/// </summary>
public static class SafeRelativeName
{
    // Percent-encodings a web layer might decode into a separator, a NUL or a dot segment.
    private static readonly string[] EncodedDangers = ["%2f", "%5c", "%00", "%2e%2e"];

    /// <summary>The name's segments (split at '/' and '\'), or null with <paramref name="reason"/>
    /// saying why the name is refused.</summary>
    public static IReadOnlyList<string>? Split(string? name, out string reason)
    {
        reason = Problem(name) ?? "";
        return reason.Length == 0 ? name!.Split('/', '\\') : null;
    }

    /// <summary>Whether the name may be joined below a folder.</summary>
    public static bool IsSafe(string? name) => Problem(name) is null;

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the name is empty";
        }
        if (name.Contains('\0'))
        {
            return "the name contains a NUL character";
        }
        if (name[0] is '/' or '\\' || Path.IsPathRooted(name))
        {
            return "the name is an absolute path";
        }
        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            return "the name starts with a drive letter";
        }
        foreach (var encoded in EncodedDangers)
        {
            if (name.Contains(encoded, StringComparison.OrdinalIgnoreCase))
            {
                return $"the name contains the encoded sequence '{encoded}'";
            }
        }
        foreach (var part in name.Split('/', '\\'))
        {
            if (part == "..")
            {
                return "the name leads to a parent folder ('..')";
            }
            if (part.Length == 0 || part == ".")
            {
                return "the name has an empty or '.' segment";
            }
        }
        return null;
    }
}
