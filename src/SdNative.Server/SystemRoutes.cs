using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>
/// GET /system_stats, /object_info, /object_info/{class}, /embeddings and /extensions, and
/// POST /free: what clients read at start-up.
/// </summary>
public static class SystemRoutes
{
    public static IEndpointRouteBuilder MapSystem(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/system_stats", (ExecutionWorker worker) =>
        {
            var (total, free) = SystemStats.Memory();
            return Results.Json(SystemStats.Build(Environment.GetCommandLineArgs(), total, free, worker.Gpu()));
        });
        routes.MapGet("/object_info", (ServerFolders folders) => Results.Json(ObjectInfo.Build(folders.Models)));
        // An unknown class answers {} (ComfyUI's behaviour), not 404.
        routes.MapGet("/object_info/{nodeClass}", (string nodeClass, ServerFolders folders) =>
        {
            var all = ObjectInfo.Build(folders.Models);
            var one = new JsonObject();
            if (all[nodeClass] is { } info)
            {
                one[nodeClass] = info.DeepClone();
            }
            return Results.Json(one);
        });
        // Textual-inversion embeddings are not supported by the engine, and no front-end
        // extensions are installed: both lists are empty rather than naming what can't be used.
        routes.MapGet("/embeddings", () => Results.Json(Array.Empty<string>()));
        routes.MapGet("/extensions", () => Results.Json(Array.Empty<string>()));
        routes.MapPost("/free", (Delegate)Free); // as a Delegate, so the IResult is written
        return routes;
    }

    /// <summary>POST /free {"unload_models": bool, "free_memory": bool}: passed to the execution
    /// core's <see cref="IMemoryRelease"/> when it registers one; 200 with an empty body.</summary>
    private static async Task<IResult> Free(HttpContext context)
    {
        var body = await JsonBodies.ReadAsync(context, allowEmpty: true);
        if (body.Error is { } error)
        {
            return error;
        }
        if (body.Value is not (null or JsonObject))
        {
            return ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_body", "POST /free takes a JSON object {\"unload_models\": bool, \"free_memory\": bool}");
        }
        bool unload = Flag(body.Value?["unload_models"]), free = Flag(body.Value?["free_memory"]);
        if (unload || free)
        {
            context.RequestServices.GetService<IMemoryRelease>()?.Release(unload, free);
        }
        return Results.Ok();
    }

    private static bool Flag(JsonNode? node) => node is JsonValue value && value.TryGetValue(out bool flag) && flag;
}
