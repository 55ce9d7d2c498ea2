using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>GET /prompt (queue_remaining) and POST /prompt (validate and queue; comfy-compat §3.3).</summary>
public static class PromptRoutes
{
    public static IEndpointRouteBuilder MapPrompt(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/prompt", (PromptQueue queue) => Results.Json(WebSocketRoutes.Status(queue.Remaining)));
        routes.MapPost("/prompt", Post);
        return routes;
    }

    private static async Task<IResult> Post(HttpContext context, PromptQueue queue, PromptValidator validator)
    {
        var read = await JsonBodies.ReadAsync(context);
        if (read.Error is { } refused)
        {
            return refused;
        }
        if (read.Value is not JsonObject body)
        {
            return Invalid(WorkflowValidationException.Prompt("invalid_prompt", "Invalid prompt", "the request body must be a JSON object").Body);
        }
        // As in ComfyUI, the counter moves before the prompt is looked at, even if it then fails.
        double number;
        if (body["number"] is JsonValue given && TryNumber(given, out double asked))
        {
            number = asked;
        }
        else
        {
            number = queue.NextNumber(JsonFields.IsTrue(body["front"]));
        }
        if (!body.ContainsKey("prompt"))
        {
            return Invalid(WorkflowValidationException.Prompt("no_prompt", "No prompt provided", "No prompt provided").Body);
        }
        WorkflowDocument document;
        try
        {
            document = WorkflowDocument.Parse(body.ToJsonString());
        }
        catch (WorkflowValidationException e)
        {
            return Invalid(e.Body);
        }
        var validation = validator.Validate(document);
        if (!validation.IsValid)
        {
            return Invalid(validation.ToErrorBody());
        }
        string promptId = body["prompt_id"] is JsonValue id ? JsonFields.Text(id) : Guid.NewGuid().ToString();
        var extra = (JsonObject)document.ExtraData.DeepClone();
        foreach (var key in QueueItem.SensitiveKeys)
        {
            extra.Remove(key);
        }
        if (body.ContainsKey("client_id"))
        {
            extra["client_id"] = body["client_id"]?.DeepClone();
        }
        extra["create_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        queue.Put(new QueueItem(number, promptId, (JsonObject)validation.Prompt!.DeepClone(), extra, validation.Outputs));
        return Results.Json(new JsonObject
        {
            ["prompt_id"] = promptId,
            ["number"] = QueueItem.NumberJson(number),
            ["node_errors"] = validation.NodeErrors.DeepClone(),
        });
    }

    private static IResult Invalid(JsonObject body) => Results.Json(body, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Python's float(number): a JSON number, or a string that parses as one.</summary>
    private static bool TryNumber(JsonValue value, out double number)
    {
        if (value.TryGetValue(out number))
        {
            return double.IsFinite(number);
        }
        return value.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
    }
}
