using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// The WebSocket events of one prompt, routed as ComfyUI routes them (§3.9): to the prompt's
/// client_id; without one, progress, progress_state, previews and execution_interrupted are broadcast and the
/// rest is not sent. The events ComfyUI keeps in history status.messages are collected here.
/// </summary>
public sealed class PromptEvents(WebSocketHub hub, QueueItem item)
{
    private static readonly HashSet<string> Broadcast = ["progress", "progress_state", "execution_interrupted"];
    private static readonly HashSet<string> Remembered = ["execution_start", "execution_cached", "execution_success", "execution_error", "execution_interrupted"];

    public string PromptId => item.PromptId;

    /// <summary>[[event, data], ...] for history status.messages.</summary>
    public JsonArray Messages { get; } = new();

    /// <summary>Sends an event whose data gets this prompt's id (and a timestamp when asked).</summary>
    public JsonObject Send(string type, JsonObject data, bool timestamp = false)
    {
        data["prompt_id"] = item.PromptId;
        if (timestamp)
        {
            data["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }
        if (Remembered.Contains(type))
        {
            Messages.Add(new JsonArray(type, data.DeepClone()));
        }
        Deliver(type, data);
        return data;
    }

    /// <summary>Sends an event prepared earlier (e.g. remembered in history before it goes out).</summary>
    public void Deliver(string type, JsonObject data)
    {
        if (item.ClientId is { } client)
        {
            hub.Send(client, type, data);
        }
        else if (Broadcast.Contains(type))
        {
            hub.Send(null, type, data);
        }
    }

    /// <summary>A type-1 preview frame: to the client, or to everyone when the prompt has none.</summary>
    public void Preview(byte[] frame) => hub.SendBinary(item.ClientId, frame);
}
