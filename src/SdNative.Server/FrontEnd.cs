using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace SdNative.Server;

/// <summary>
/// --front-end-root DIR: a ComfyUI front-end build served as ComfyUI serves its own, GET / as
/// index.html (never cached, so an updated build is picked up) and every other file as static
/// content. Only files below DIR are served, hidden (dot) files never, and an API route always
/// wins over a file of the same name. Without the option, GET / says how to add one.
/// </summary>
public static class FrontEnd
{
    public static WebApplication UseFrontEnd(this WebApplication app, ServerOptions options)
    {
        if (options.FrontEndRoot is not { Length: > 0 } root)
        {
            app.MapGet("/", () => Results.Text("This server has no front end; start it with --front-end-root DIR (a ComfyUI front-end build) to serve one.\n",
                statusCode: StatusCodes.Status404NotFound));
            return app;
        }
        string full = Path.GetFullPath(root);
        if (!File.Exists(Path.Combine(full, "index.html")))
        {
            throw new ServerConfigurationException($"--front-end-root {root}: there is no index.html in that folder");
        }
        var files = new PhysicalFileProvider(full);
        app.MapGet("/", (HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.CacheControl = "no-cache";
            headers.Pragma = "no-cache";
            headers.Expires = "0";
            return Results.File(Path.Combine(full, "index.html"), "text/html; charset=utf-8");
        });
        // The build is the user's own content: a file type the table doesn't know (a source map, a
        // font format) is still served, as a download type, rather than hidden behind a 404.
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = true, DefaultContentType = "application/octet-stream" });
        return app;
    }
}
