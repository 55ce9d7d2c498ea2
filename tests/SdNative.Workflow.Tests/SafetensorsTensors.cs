using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>The tensors of a safetensors file as the format describes it (an 8-byte little-endian
/// header length, a JSON header {name: {dtype, shape, data_offsets}}, the data), read and
/// written here without the engine: F32 and F16 tensors as floats, anything else kept as bytes.</summary>
internal sealed class SafetensorsTensors
{
    public sealed record Entry(string DType, long[] Shape, byte[] Bytes)
    {
        public float[] Floats() => DType switch
        {
            "F32" => Enumerable.Range(0, Bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Bytes.AsSpan(4 * i))).ToArray(),
            "F16" => Enumerable.Range(0, Bytes.Length / 2).Select(i => (float)BinaryPrimitives.ReadHalfLittleEndian(Bytes.AsSpan(2 * i))).ToArray(),
            _ => throw new InvalidOperationException($"{DType} is not a float type"),
        };

        public static Entry F32(long[] shape, float[] values)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
            }
            return new Entry("F32", shape, bytes);
        }
    }

    public List<(string Name, Entry Tensor)> Tensors { get; } = [];

    public Entry this[string name] => Tensors.First(t => t.Name == name).Tensor;

    public bool Contains(string name) => Tensors.Any(t => t.Name == name);

    public static SafetensorsTensors Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength))!.AsObject();
        var result = new SafetensorsTensors();
        foreach (var (name, info) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }
            var offsets = info!["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            var shape = info["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            result.Tensors.Add((name, new Entry(info["dtype"]!.GetValue<string>(), shape, file[(int)(8 + headerLength + begin)..(int)(8 + headerLength + end)])));
        }
        return result;
    }

    public void Write(string path)
    {
        var header = new JsonObject();
        long at = 0;
        foreach (var (name, t) in Tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(at, at + t.Bytes.Length),
            };
            at += t.Bytes.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        foreach (var (_, t) in Tensors)
        {
            file.Write(t.Bytes);
        }
    }

    public void Replace(string name, Entry tensor)
    {
        int i = Tensors.FindIndex(t => t.Name == name);
        Tensors[i] = (name, tensor);
    }
}
