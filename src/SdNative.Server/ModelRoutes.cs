using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>
/// GET /models (ComfyUI's folder keys), /models/{folder} (the files in one, 404 for an unknown
/// key) and /view_metadata/{folder}?filename= (a .safetensors file's <c>__metadata__</c>, else 404).
/// </summary>
public static class ModelRoutes
{
    /// <summary>The largest safetensors header read for its metadata (ComfyUI's max_size).</summary>
    private const long MaxHeaderBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/models", () => Results.Json(ModelCatalog.Keys));
        routes.MapGet("/models/{folder}", (string folder, ServerFolders folders) =>
            ModelCatalog.List(folders.Models, folder) is { } files ? Results.Json(files) : Results.NotFound());
        routes.MapGet("/view_metadata/{folder}", (string folder, HttpRequest request, ServerFolders folders) =>
            Metadata(folders, folder, request.Query["filename"].ToString()) is { } metadata ? Results.Json(metadata) : Results.NotFound());
        return routes;
    }

    private static JsonObject? Metadata(ServerFolders folders, string folder, string filename)
    {
        if (!filename.EndsWith(".safetensors", StringComparison.Ordinal) || ModelCatalog.Resolve(folders.Models, folder, filename) is not { } path)
        {
            return null;
        }
        using var file = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            return null;
        }
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderBytes)
        {
            return null;
        }
        var header = new byte[length];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            return null;
        }
        try
        {
            var json = JsonNode.Parse(header, documentOptions: new JsonDocumentOptions { MaxDepth = JsonBodies.MaxDepth }) as JsonObject;
            return json?["__metadata__"] is JsonObject metadata ? (JsonObject)metadata.DeepClone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
