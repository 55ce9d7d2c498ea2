using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// The front end's stored files (saved workflows, templates, keybindings) under user/default/,
/// as ComfyUI's app/user_manager.py serves them: GET /userdata?dir=D[&amp;recurse=true][&amp;full_info=true][&amp;split=true]
/// lists the files in D ([] when D does not exist yet), and GET/POST/DELETE /userdata/{path}
/// read, write and remove one file, the path URL-encoded in one segment ("workflows%2Fa.json");
/// POST /userdata/{path}/move/{destination} renames one.
/// The path is decoded once and then confined like every other name.
/// </summary>
public static class UserDataRoutes
{
    public static IEndpointRouteBuilder MapUserData(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/userdata", (HttpRequest request, ServerFolders folders) => List(request, folders));
        routes.MapGet("/userdata/{file}", (string file, ServerFolders folders) =>
            Resolve(folders, file, out var error) is { } path ? (File.Exists(path) ? Results.File(path, "application/octet-stream") : Results.NotFound()) : error);
        routes.MapPost("/userdata/{file}", Write);
        routes.MapPost("/userdata/{file}/move/{destination}", Move);
        routes.MapDelete("/userdata/{file}", (string file, ServerFolders folders) =>
        {
            if (Resolve(folders, file, out var error) is not { } path)
            {
                return error;
            }
            if (!File.Exists(path))
            {
                return Results.NotFound();
            }
            File.Delete(path);
            return Results.NoContent();
        });
        return routes;
    }

    /// <summary>POST /userdata/{path}: the body becomes the file. <c>overwrite=false</c> refuses an
    /// existing file with 409; the answer is the stored path, or its details with <c>full_info=true</c>.</summary>
    private static async Task<IResult> Write(string file, HttpContext context, ServerFolders folders, ServerOptions options)
    {
        if (Resolve(folders, file, out var error) is not { } path)
        {
            return error;
        }
        var query = context.Request.Query;
        if (query["overwrite"].ToString().Equals("false", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
        {
            return ApiErrors.Json(StatusCodes.Status409Conflict, "file_exists", "The file exists and overwrite=false");
        }
        var body = await BoundedBody.ReadAsync(context.Request, options.MaxJsonBytes, context.RequestAborted);
        if (body.Error is { } tooLarge)
        {
            return tooLarge;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + $".{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, body.Data!, context.RequestAborted);
        File.Move(temporary, path, overwrite: true);
        string relative = Relative(folders.User, path);
        return IsTrue(query["full_info"]) ? Results.Json(Info(folders.User, path)) : Results.Json(relative);
    }

    /// <summary>POST /userdata/{path}/move/{destination}: renames a file (the front end's "rename
    /// workflow"). A missing source is 404; an existing destination is 409 unless overwrite=true.</summary>
    private static IResult Move(string file, string destination, HttpRequest request, ServerFolders folders)
    {
        if (Resolve(folders, file, out var error) is not { } source || Resolve(folders, destination, out error) is not { } target)
        {
            return error;
        }
        if (!File.Exists(source))
        {
            return Results.NotFound();
        }
        bool overwrite = IsTrue(request.Query["overwrite"]);
        if (File.Exists(target) && !overwrite)
        {
            return ApiErrors.Json(StatusCodes.Status409Conflict, "file_exists", "The destination exists and overwrite is not true");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(source, target, overwrite);
        return IsTrue(request.Query["full_info"]) ? Results.Json(Info(folders.User, target)) : Results.Json(Relative(folders.User, target));
    }

    private static IResult List(HttpRequest request, ServerFolders folders)
    {
        var query = request.Query;
        string directory = query["dir"].ToString();
        if (directory.Length == 0)
        {
            return ApiErrors.Json(StatusCodes.Status400BadRequest, "missing_dir", "GET /userdata needs ?dir=FOLDER");
        }
        if (ServerFolders.Below(folders.User, directory, out string reason) is not { } root)
        {
            return ApiErrors.Json(StatusCodes.Status403Forbidden, "invalid_dir", $"dir is refused: {reason}");
        }
        if (!Directory.Exists(root))
        {
            return Results.Json(Array.Empty<string>());
        }
        bool recurse = IsTrue(query["recurse"]), fullInfo = IsTrue(query["full_info"]), split = IsTrue(query["split"]);
        var options = new EnumerationOptions { RecurseSubdirectories = recurse, MaxRecursionDepth = 16, IgnoreInaccessible = true };
        var entries = new JsonArray();
        foreach (var path in Directory.EnumerateFiles(root, "*", options).Order(StringComparer.Ordinal))
        {
            string relative = Relative(root, path);
            entries.Add(fullInfo ? Info(root, path)
                : split ? new JsonArray([relative, .. relative.Split('/').Select(part => (JsonNode)part)])
                : (JsonNode)relative);
        }
        return Results.Json(entries);
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.ToString().Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file a {path} segment names below user/default/, or null with the refusal.</summary>
    private static string? Resolve(ServerFolders folders, string encoded, out IResult error)
    {
        error = Results.Empty;
        string name = Uri.UnescapeDataString(encoded);
        if (SafeRelativeName.Split(name, out string reason) is not { } parts)
        {
            error = ApiErrors.Json(StatusCodes.Status403Forbidden, "invalid_path", $"The user data path is refused: {reason}");
            return null;
        }
        return Path.Combine(folders.User, Path.Combine(parts.ToArray()));
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>ComfyUI's file info: path relative to the listed folder, size in bytes, modified and created in seconds since the epoch.</summary>
    private static JsonObject Info(string root, string path)
    {
        var file = new FileInfo(path);
        return new JsonObject
        {
            ["path"] = Relative(root, path),
            ["size"] = file.Length,
            ["modified"] = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds() / 1000.0,
            ["created"] = new DateTimeOffset(file.CreationTimeUtc).ToUnixTimeMilliseconds() / 1000.0,
        };
    }
}
