using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// The /api/jobs view of the queue and history (ComfyUI's comfy_execution/jobs.py): one job per
/// prompt with status pending, in_progress, completed or failed; fields without a value are left out.
/// </summary>
public static class Jobs
{
    public static readonly IReadOnlyList<string> Statuses = ["pending", "in_progress", "completed", "failed"];

    public static JsonObject FromQueue(QueueItem item, string status) => Pruned(new JsonObject
    {
        ["id"] = item.PromptId,
        ["status"] = status,
        ["priority"] = QueueItem.NumberJson(item.Number),
        ["create_time"] = item.ExtraData["create_time"]?.DeepClone(),
        ["outputs_count"] = 0,
        ["workflow_id"] = WorkflowId(item.ExtraData),
    });

    /// <param name="withDetails">/api/jobs/{id}: adds outputs, execution_status and workflow.</param>
    public static JsonObject FromHistory(string promptId, JsonObject entry, bool withDetails = false)
    {
        var prompt = entry["prompt"]!.AsArray();
        var extra = prompt[3] as JsonObject ?? new JsonObject();
        var status = entry["status"] as JsonObject;
        JsonNode? start = null, end = null, error = null;
        foreach (var message in status?["messages"] as JsonArray ?? [])
        {
            if (message is JsonArray { Count: >= 2 } pair && pair[1] is JsonObject data)
            {
                switch (pair[0]?.GetValue<string>())
                {
                    case "execution_start":
                        start = data["timestamp"];
                        break;
                    case "execution_success" or "execution_interrupted":
                        end = data["timestamp"];
                        break;
                    case "execution_error":
                        end = data["timestamp"];
                        error = data;
                        break;
                }
            }
        }
        var outputs = entry["outputs"] as JsonObject ?? new JsonObject();
        var (count, preview) = Summary(outputs);
        var job = Pruned(new JsonObject
        {
            ["id"] = promptId,
            ["status"] = JsonFields.String(status?["status_str"]) == "error" ? "failed" : "completed",
            ["priority"] = prompt[0]?.DeepClone(),
            ["create_time"] = extra["create_time"]?.DeepClone(),
            ["execution_start_time"] = start?.DeepClone(),
            ["execution_end_time"] = end?.DeepClone(),
            ["execution_error"] = error?.DeepClone(),
            ["outputs_count"] = count,
            ["preview_output"] = preview,
            ["workflow_id"] = WorkflowId(extra),
        });
        if (withDetails)
        {
            job["outputs"] = outputs.DeepClone();
            job["execution_status"] = status?.DeepClone();
            job["workflow"] = new JsonObject { ["prompt"] = prompt[2]?.DeepClone(), ["extra_data"] = extra.DeepClone() };
        }
        return job;
    }

    /// <summary>How many output items, and the first image to show: one of type output if any.</summary>
    private static (int Count, JsonObject? Preview) Summary(JsonObject outputs)
    {
        int count = 0;
        JsonObject? preview = null, fallback = null;
        foreach (var (node, value) in outputs)
        {
            foreach (var (media, items) in value as JsonObject ?? new JsonObject())
            {
                if (media == "animated" || items is not JsonArray list)
                {
                    continue;
                }
                foreach (var item in list.OfType<JsonObject>())
                {
                    count++;
                    if (preview is null && media is "images" or "video" or "audio")
                    {
                        var enriched = (JsonObject)item.DeepClone();
                        enriched["nodeId"] = node;
                        enriched["mediaType"] = media;
                        if (JsonFields.String(item["type"]) == "output")
                        {
                            preview = enriched;
                        }
                        else
                        {
                            fallback ??= enriched;
                        }
                    }
                }
            }
        }
        return (count, preview ?? fallback);
    }

    private static JsonNode? WorkflowId(JsonObject extra) => extra["extra_pnginfo"]?["workflow"]?["id"]?.DeepClone();

    private static JsonObject Pruned(JsonObject job)
    {
        foreach (var key in job.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            job.Remove(key);
        }
        return job;
    }
}
