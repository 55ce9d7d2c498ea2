using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>Writes a TAESD decoder (the released layout: "1.*" ... "19.*", width 64) whose
/// weights are all zero and whose last bias is one colour, so every image it decodes is that
/// colour whatever the latent: a preview made from it is told apart from the latent→RGB
/// projection at a glance. Format: safetensors (8-byte length, JSON header, f32 data).</summary>
internal static class ConstantTaesd
{
    private const int Width = 64;

    public static void Write(string path, float r, float g, float b)
    {
        var tensors = new List<(string Name, int[] Shape)> { ("1.weight", [Width, 4, 3, 3]), ("1.bias", [Width]) };
        foreach (int block in new[] { 3, 4, 5, 8, 9, 10, 13, 14, 15, 18 })
        {
            foreach (int conv in new[] { 0, 2, 4 })
            {
                tensors.Add(($"{block}.conv.{conv}.weight", [Width, Width, 3, 3]));
                tensors.Add(($"{block}.conv.{conv}.bias", [Width]));
            }
        }
        foreach (int up in new[] { 7, 12, 17 })
        {
            tensors.Add(($"{up}.weight", [Width, Width, 3, 3]));
        }
        tensors.Add(("19.weight", [3, Width, 3, 3]));
        tensors.Add(("19.bias", [3]));

        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = 4L * shape.Aggregate(1, (a, d) => a * d);
            header[name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()), ["data_offsets"] = new JsonArray(offset, offset + bytes) };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var data = new byte[offset];
        Span<byte> rgb = data.AsSpan((int)(offset - 12));
        BinaryPrimitives.WriteSingleLittleEndian(rgb, r);
        BinaryPrimitives.WriteSingleLittleEndian(rgb[4..], g);
        BinaryPrimitives.WriteSingleLittleEndian(rgb[8..], b);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        file.Write(data);
    }
}
