using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>GET /features: the server's feature flags (ComfyUI's comfy_api/feature_flags.py).</summary>
public static class FeatureRoutes
{
    /// <summary>What this server tells clients it supports; the same object answers the WS feature_flags message.</summary>
    public static readonly IReadOnlyDictionary<string, object> Flags = FlagsFor(new ServerOptions());

    /// <summary>The flags for a configured server: max_upload_size follows --max-upload-size, as ComfyUI's does.</summary>
    public static IReadOnlyDictionary<string, object> FlagsFor(ServerOptions options) => new Dictionary<string, object>
    {
        ["supports_preview_metadata"] = false,
        ["max_upload_size"] = (double)options.MaxUploadBytes,
    };

    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/features", (ServerOptions options) => Results.Json(FlagsFor(options)));
        return routes;
    }
}
