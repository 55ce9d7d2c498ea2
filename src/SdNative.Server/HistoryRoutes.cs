using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>GET /history (max_items, offset), GET /history/{id}, POST /history (clear, delete); comfy-compat §3.5.</summary>
public static class HistoryRoutes
{
    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/history", (HttpRequest request, PromptQueue queue) =>
        {
            int? maxItems = null;
            int offset = -1;
            string? max = request.Query["max_items"], from = request.Query["offset"];
            if (max is not null)
            {
                if (!int.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m))
                {
                    return Results.BadRequest($"max_items must be an integer, not '{max}'");
                }
                maxItems = m;
            }
            if (from is not null && !int.TryParse(from, NumberStyles.Integer, CultureInfo.InvariantCulture, out offset))
            {
                return Results.BadRequest($"offset must be an integer, not '{from}'");
            }
            return Results.Json(queue.History(maxItems, offset));
        });
        routes.MapGet("/history/{promptId}", (string promptId, PromptQueue queue) =>
        {
            var body = new JsonObject();
            if (queue.HistoryEntry(promptId) is { } entry)
            {
                body[promptId] = entry;
            }
            return Results.Json(body);
        });
        routes.MapPost("/history", async (HttpContext context, PromptQueue queue) =>
        {
            var read = await JsonBodies.ReadAsync(context, allowEmpty: true);
            if (read.Error is { } refused)
            {
                return refused;
            }
            var json = read.Value;
            if (JsonFields.IsTrue(json?["clear"]))
            {
                queue.ClearHistory();
            }
            if (json?["delete"] is JsonNode delete)
            {
                queue.DeleteHistory(JsonFields.Strings(delete));
            }
            return Results.Ok();
        });
        return routes;
    }
}
