using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>GET/POST /queue and POST /interrupt (comfy-compat §3.2, §3.5).</summary>
public static class QueueRoutes
{
    public static IEndpointRouteBuilder MapQueue(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/queue", (PromptQueue queue) =>
        {
            var (running, pending) = queue.Snapshot();
            return Results.Json(new JsonObject
            {
                ["queue_running"] = new JsonArray(running is null ? [] : [running.ToJson()]),
                ["queue_pending"] = new JsonArray(pending.Select(p => (JsonNode?)p.ToJson()).ToArray()),
            });
        });
        routes.MapPost("/queue", async (HttpRequest request, PromptQueue queue) =>
        {
            var (_, json, error) = await RequestJson.ReadAsync(request);
            if (error is not null)
            {
                return Results.BadRequest(error);
            }
            if (RequestJson.IsTrue(json?["clear"]))
            {
                queue.DeletePending(_ => true);
            }
            if (json?["delete"] is JsonNode delete)
            {
                var ids = RequestJson.Strings(delete).ToHashSet();
                queue.DeletePending(item => ids.Contains(item.PromptId));
            }
            return Results.Ok();
        });
        routes.MapPost("/interrupt", async (HttpRequest request, ExecutionWorker worker) =>
        {
            var (_, json, _) = await RequestJson.ReadAsync(request);
            string? promptId = json?["prompt_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            worker.Interrupt(promptId);
            return Results.Ok();
        });
        return routes;
    }
}
