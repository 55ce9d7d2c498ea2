using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>Writes the tensors of a safetensors checkpoint whose names start with a prefix into
/// a file of their own, with the prefix replaced (so a test can make the UNet-only, CLIP-only
/// and VAE-only files people download from the combined tiny model). Format: an 8-byte
/// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, the data.</summary>
internal static class SafetensorsSplitter
{
    public static void Extract(string checkpoint, string output, string prefix, string replacement)
    {
        byte[] file = File.ReadAllBytes(checkpoint);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength))!.AsObject();
        long dataStart = 8 + headerLength;

        var newHeader = new JsonObject();
        using var data = new MemoryStream();
        foreach (var (name, info) in header)
        {
            if (name == "__metadata__" || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var offsets = info!["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            long at = data.Length;
            data.Write(file, (int)(dataStart + begin), (int)(end - begin));
            newHeader[replacement + name[prefix.Length..]] = new JsonObject
            {
                ["dtype"] = info["dtype"]!.GetValue<string>(),
                ["shape"] = info["shape"]!.DeepClone(),
                ["data_offsets"] = new JsonArray(at, data.Length),
            };
        }
        if (newHeader.Count == 0)
        {
            throw new InvalidOperationException($"no tensor of {checkpoint} starts with '{prefix}'");
        }
        byte[] json = Encoding.UTF8.GetBytes(newHeader.ToJsonString());
        using var outFile = File.Create(output);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        outFile.Write(length);
        outFile.Write(json);
        data.Position = 0;
        data.CopyTo(outFile);
    }
}
