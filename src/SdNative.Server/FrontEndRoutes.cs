using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>
/// The small routes the ComfyUI front end reads while it loads (server-contract.md): one
/// server-stored user, and no translations, shared subgraphs or model-browser entries.
/// </summary>
public static class FrontEndRoutes
{
    public static IEndpointRouteBuilder MapFrontEndInfo(this IEndpointRouteBuilder routes)
    {
        // Single-user: settings and workflows are stored on the server under user/default/.
        routes.MapGet("/users", () => Results.Json(new JsonObject { ["storage"] = "server", ["migrated"] = true }));
        routes.MapGet("/i18n", () => Results.Json(new JsonObject()));
        routes.MapGet("/global_subgraphs", () => Results.Json(new JsonObject()));
        routes.MapGet("/experiment/models", () => Results.Json(Array.Empty<object>()));
        return routes;
    }
}
