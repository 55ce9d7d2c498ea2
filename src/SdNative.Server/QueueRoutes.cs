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
        routes.MapPost("/queue", async (HttpContext context, PromptQueue queue) =>
        {
            var read = await JsonBodies.ReadAsync(context, allowEmpty: true);
            if (read.Error is { } refused)
            {
                return refused;
            }
            var json = read.Value;
            if (JsonFields.IsTrue(json?["clear"]))
            {
                queue.DeletePending(_ => true);
            }
            if (json?["delete"] is JsonNode delete)
            {
                var ids = JsonFields.Strings(delete).ToHashSet();
                queue.DeletePending(item => ids.Contains(item.PromptId));
            }
            return Results.Ok();
        });
        routes.MapPost("/interrupt", async (HttpContext context, ExecutionWorker worker) =>
        {
            // ComfyUI interrupts whatever runs when the body has no prompt_id (or is not JSON at all).
            var read = await JsonBodies.ReadAsync(context, allowEmpty: true);
            worker.Interrupt(JsonFields.String(read.Value?["prompt_id"]));
            return Results.Ok();
        });
        return routes;
    }
}
