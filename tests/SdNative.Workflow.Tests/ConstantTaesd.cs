using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Workflow.Tests;

/// <summary>Writes a TAESD decoder (the released layout: "1.*" ... "19.*", width 64) whose
/// weights are all zero and whose last bias is one colour, so every image it decodes is that
/// colour whatever the latent: a preview made from it is told apart from the latent→RGB
/// projection at a glance. Format: safetensors (8-byte length, JSON header, f32 data).</summary>
internal static class ConstantTaesd
{
    private const int Width = 64;

    /// <summary>A decoder painting <paramref name="colour"/>: its 8-bit values over 255 plus a
    /// little, so the truncation to 8 bits gives the colour back.</summary>
    public static void Write(string path, Rgb24 colour) =>
        Write(path, colour.R / 255f + 0.001f, colour.G / 255f + 0.001f, colour.B / 255f + 0.001f);

    /// <summary>True when every pixel is within 4 levels of <paramref name="colour"/>: the image
    /// came from the decoder painting it.</summary>
    public static bool Painted(Image<Rgb24> image, Rgb24 colour)
    {
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                if (Math.Abs(p.R - colour.R) > 4 || Math.Abs(p.G - colour.G) > 4 || Math.Abs(p.B - colour.B) > 4)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>The same for a preview as the engine reports it (RGB values in 0..1).</summary>
    public static bool Painted(ImageBatch image, Rgb24 colour) =>
        image.Pixels.Data.Select((v, i) => Math.Abs(v * 255f - (i % 3 == 0 ? colour.R : i % 3 == 1 ? colour.G : colour.B)) <= 4f).All(near => near);

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
