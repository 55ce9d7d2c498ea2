namespace SdNative.Workflow.Tests;

/// <summary>Writes the tensors of a safetensors checkpoint whose names start with a prefix into
/// a file of their own, with the prefix replaced (so a test can make the UNet-only, CLIP-only
/// and VAE-only files people download from the combined tiny model).</summary>
internal static class SafetensorsSplitter
{
    public static void Extract(string checkpoint, string output, string prefix, string replacement)
    {
        var part = new SafetensorsTensors();
        foreach (var (name, tensor) in SafetensorsTensors.Read(checkpoint).Tensors)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                part.Tensors.Add((replacement + name[prefix.Length..], tensor));
            }
        }
        if (part.Tensors.Count == 0)
        {
            throw new InvalidOperationException($"no tensor of {checkpoint} starts with '{prefix}'");
        }
        part.Write(output);
    }
}
