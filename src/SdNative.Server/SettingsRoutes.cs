using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>
/// GET/POST /settings and GET/POST /settings/{id} (ComfyUI's app/app_settings.py): the whole
/// settings object, or one setting (null when unset). POST /settings replaces the object; POST
/// /settings/{id} sets one value. Both answer 200 with an empty body.
/// </summary>
public static class SettingsRoutes
{
    public static IEndpointRouteBuilder MapSettings(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/settings", async (SettingsStore store) => Results.Json(await store.ReadAsync()));
        // An unset id is JSON null, written out (an empty body would not parse).
        routes.MapGet("/settings/{id}", async (string id, SettingsStore store) =>
            Results.Text((await store.ReadAsync())[id]?.ToJsonString() ?? "null", "application/json"));
        routes.MapPost("/settings", async (HttpContext context, SettingsStore store) =>
        {
            var body = await JsonBodies.ReadAsync(context);
            if (body.Error is { } error)
            {
                return error;
            }
            if (body.Value is not JsonObject settings)
            {
                return ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_body", "POST /settings takes a JSON object of settings");
            }
            await store.UpdateAsync(stored =>
            {
                stored.Clear();
                foreach (var (key, value) in settings.ToList())
                {
                    settings.Remove(key);
                    stored[key] = value;
                }
            });
            return Results.Ok();
        });
        routes.MapPost("/settings/{id}", async (string id, HttpContext context, SettingsStore store) =>
        {
            var body = await JsonBodies.ReadAsync(context);
            if (body.Error is { } error)
            {
                return error;
            }
            await store.UpdateAsync(stored => stored[id] = body.Value);
            return Results.Ok();
        });
        return routes;
    }
}
