using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>GET /features: the server's feature flags (ComfyUI's comfy_api/feature_flags.py).</summary>
public static class FeatureRoutes
{
    /// <summary>What this server tells clients it supports; the same object answers the WS feature_flags message.</summary>
    public static readonly IReadOnlyDictionary<string, object> Flags = new Dictionary<string, object>
    {
        ["supports_preview_metadata"] = false,
        ["max_upload_size"] = 104857600.0,
    };

    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/features", () => Results.Json(Flags));
        return routes;
    }
}
