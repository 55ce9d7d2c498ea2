using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>
/// POST /upload/image and /upload/mask (ComfyUI's server.py): multipart fields <c>image</c>
/// (the file), <c>type</c> (input by default, or temp/output; anything else is refused),
/// <c>subfolder</c>, <c>overwrite</c> ("true" or "1"), and for masks <c>original_ref</c>.
/// Answers <c>{"name", "subfolder", "type"}</c> with the name actually stored. Unlike ComfyUI,
/// an upload must be an image within the decoder's limits, and an unknown type is a 400.
/// </summary>
public static class UploadRoutes
{
    public static IEndpointRouteBuilder MapUpload(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/upload/image", (HttpContext context, ServerFolders folders, ServerOptions options) => Upload(context, folders, options, mask: false));
        routes.MapPost("/upload/mask", (HttpContext context, ServerFolders folders, ServerOptions options) => Upload(context, folders, options, mask: true));
        return routes;
    }

    private static async Task<IResult> Upload(HttpContext context, ServerFolders folders, ServerOptions options, bool mask)
    {
        try
        {
            var form = await UploadForms.ReadAsync(context, options.MaxUploadBytes);
            if (form.Files.GetFile("image") is not { FileName.Length: > 0 } file)
            {
                throw RequestRefusedException.BadRequest("missing_image", "The form has no file in its 'image' field");
            }
            string type = form.TryGetValue("type", out var t) && t.ToString().Length > 0 ? t.ToString() : "input";
            string root = folders.ByType(type) ?? throw RequestRefusedException.BadRequest("invalid_type",
                $"type '{type}' is not one of {string.Join(", ", ServerFolders.Types)}");
            string subfolder = form["subfolder"].ToString();
            string folder = ServerFolders.Below(root, subfolder, out string reason)
                ?? throw RequestRefusedException.BadRequest("invalid_subfolder", $"subfolder is refused: {reason}");
            string name = ServerFolders.FileName(file.FileName, out reason)
                ?? throw RequestRefusedException.BadRequest("invalid_filename", $"The file name is refused: {reason}");
            bool overwrite = form["overwrite"].ToString() is "true" or "1";
            var limits = Uploads.Limits(options.MaxUploadBytes);
            byte[] bytes = await ReadAll(file, context.RequestAborted);
            Func<string, byte[]> content = mask
                ? staging => MaskMerge.Merge(Original(form["original_ref"].ToString(), folders), staging, limits)
                : staging => Uploads.CheckImage(staging, bytes, limits);
            string stored = Uploads.Store(folder, name, bytes, overwrite, content);
            return Results.Json(new JsonObject { ["name"] = stored, ["subfolder"] = subfolder, ["type"] = type });
        }
        catch (RequestRefusedException refused)
        {
            return refused.Result;
        }
    }

    private static async Task<byte[]> ReadAll(IFormFile file, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellation);
        return buffer.ToArray();
    }

    /// <summary>The file original_ref names (<c>{"filename", "subfolder", "type"}</c>, type output by
    /// default, or given by an annotated filename), confined like every other name.</summary>
    private static string Original(string reference, ServerFolders folders)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(reference, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject;
        }
        catch (JsonException e)
        {
            throw RequestRefusedException.BadRequest("invalid_original_ref", $"original_ref is not valid JSON: {e.Message}");
        }
        if (json is null || JsonFields.String(json["filename"]) is not { } filename)
        {
            throw RequestRefusedException.BadRequest("invalid_original_ref", "original_ref needs a 'filename' string");
        }
        var (annotated, annotatedType) = ServerFolders.Annotated(filename);
        string type = annotatedType ?? JsonFields.String(json["type"]) ?? "output";
        string root = folders.ByType(type) ?? throw RequestRefusedException.BadRequest("invalid_original_ref",
            $"original_ref type '{type}' is not one of {string.Join(", ", ServerFolders.Types)}");
        string folder = ServerFolders.Below(root, JsonFields.String(json["subfolder"]), out string reason)
            ?? throw RequestRefusedException.BadRequest("invalid_original_ref", $"original_ref subfolder is refused: {reason}");
        string name = ServerFolders.FileName(annotated, out reason)
            ?? throw RequestRefusedException.BadRequest("invalid_original_ref", $"original_ref filename is refused: {reason}");
        string path = Path.Combine(folder, name);
        return File.Exists(path) ? path
            : throw RequestRefusedException.BadRequest("invalid_original_ref", $"original_ref names no file ('{name}' in {type})");
    }
}
