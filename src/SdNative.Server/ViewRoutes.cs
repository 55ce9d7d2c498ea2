using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;

namespace SdNative.Server;

/// <summary>
/// GET /view (ComfyUI's server.py): a file from output/, input/ or temp/ by <c>filename</c>,
/// <c>type</c> and <c>subfolder</c>, served raw or re-encoded (<c>preview=webp;90</c>,
/// <c>channel=rgb|a</c>). A refused filename or unknown type is 400, a subfolder that would
/// leave the folder 403, a missing file 404, as in ComfyUI.
/// </summary>
public static class ViewRoutes
{
    // Served as downloads, never rendered: a page placed in input/ must not run in the server's origin.
    private static readonly HashSet<string> ActiveContentTypes = ["text/html", "text/html-sandboxed", "application/xhtml+xml", "text/javascript", "application/javascript", "text/css", "image/svg+xml"];
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapView(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/view", View);
        return routes;
    }

    private static IResult View(HttpContext context, ServerFolders folders)
    {
        var query = context.Request.Query;
        if (!query.TryGetValue("filename", out var filenameValue))
        {
            return Results.NotFound();
        }
        var (annotated, annotatedType) = ServerFolders.Annotated(filenameValue.ToString());
        // Only the last segment is used, as ComfyUI takes the basename; the whole name must still be safe.
        if (Workflow.SafeRelativeName.Split(annotated, out string reason) is not { } parts)
        {
            return ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_filename", $"filename is refused: {reason}");
        }
        string type = annotatedType ?? (query.TryGetValue("type", out var t) ? t.ToString() : "output");
        if (folders.ByType(type) is not { } root)
        {
            return ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_type", $"type '{type}' is not one of {string.Join(", ", ServerFolders.Types)}");
        }
        if (ServerFolders.Below(root, query["subfolder"].ToString(), out reason) is not { } folder)
        {
            return ApiErrors.Json(StatusCodes.Status403Forbidden, "invalid_subfolder", $"subfolder is refused: {reason}");
        }
        string name = parts[^1];
        string file = Path.Combine(folder, name);
        if (!File.Exists(file))
        {
            return Results.NotFound();
        }
        context.Response.Headers.ContentDisposition = ContentDisposition(name);
        string channel = query["channel"].ToString();
        if (query.TryGetValue("preview", out var preview))
        {
            return ImageConversion.Preview(file, preview.ToString(), channel);
        }
        return channel switch
        {
            "rgb" or "a" => ImageConversion.Channel(file, channel),
            _ => Results.File(file, ContentType(name)),
        };
    }

    private static string ContentType(string name)
    {
        string type = ContentTypes.TryGetContentType(name, out var guessed) ? guessed : "application/octet-stream";
        return ActiveContentTypes.Contains(type) ? "application/octet-stream" : type;
    }

    /// <summary>ComfyUI's <c>filename="name"</c> (quotes and backslashes escaped); a name outside
    /// printable ASCII gets an ASCII stand-in there plus RFC 5987's <c>filename*=UTF-8''…</c>,
    /// since header values can only carry ASCII.</summary>
    internal static string ContentDisposition(string name)
    {
        static string Quoted(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
        if (name.All(ch => ch is >= ' ' and <= '~'))
        {
            return $"filename=\"{Quoted(name)}\"";
        }
        string fallback = new(name.Select(ch => ch is >= ' ' and <= '~' ? ch : '_').ToArray());
        var encoded = new System.Text.StringBuilder();
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            bool attrChar = char.IsAsciiLetterOrDigit((char)b) || "!#$&+-.^_`|~".Contains((char)b);
            encoded.Append(attrChar ? ((char)b).ToString() : $"%{b:X2}");
        }
        return $"filename=\"{Quoted(fallback)}\"; filename*=UTF-8''{encoded}";
    }
}
