using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Tui.Engine;

/// <summary>Reads a ComfyUI /ws stream for one prompt: progress, the binary preview frames
/// (uint32 event 1, uint32 format, then the image), and the events that end it.</summary>
internal sealed class ServerEvents(string promptId, IProgress<GenerationUpdate> progress)
{
    private const int PreviewImageEvent = 1;
    private int _total;

    public int Steps { get; private set; }
    public string? Error { get; private set; }

    public async Task ReadUntilDoneAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                Error = "the server closed the connection before the prompt finished";
                return;
            }
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }
            byte[] bytes = message.ToArray();
            message.SetLength(0);
            if (received.MessageType == WebSocketMessageType.Binary)
            {
                OnBinary(bytes);
            }
            else if (OnText(Encoding.UTF8.GetString(bytes)))
            {
                return;
            }
        }
    }

    private void OnBinary(byte[] frame)
    {
        if (frame.Length > 8 && ReadUInt32(frame, 0) == PreviewImageEvent)
        {
            progress.Report(new GenerationUpdate(Steps, _total, "sampling", RgbImage.Decode(frame.AsSpan(8))));
        }
    }

    /// <summary>Handles one JSON event; true once the prompt has finished one way or another.</summary>
    private bool OnText(string text)
    {
        if (JsonNode.Parse(text) is not JsonObject message || message["data"] is not JsonObject data)
        {
            return false;
        }
        if (data["prompt_id"]?.ToString() is string id && id != promptId)
        {
            return false;
        }
        switch (message["type"]?.ToString())
        {
            case "progress":
                Steps = data["value"]?.GetValue<int>() ?? Steps;
                _total = data["max"]?.GetValue<int>() ?? _total;
                progress.Report(new GenerationUpdate(Steps, _total, "sampling"));
                return false;
            case "executing":
                if (data["node"] is null && data.ContainsKey("prompt_id"))
                {
                    return true;
                }
                progress.Report(new GenerationUpdate(0, 0, $"node {data["node"]}"));
                return false;
            case "execution_success":
                return true;
            case "execution_error":
                Error = $"node {data["node_id"]} ({data["node_type"]}) failed: {data["exception_message"]}";
                return true;
            case "execution_interrupted":
                Error = "interrupted on the server";
                return true;
            default:
                return false;
        }
    }

    private static uint ReadUInt32(byte[] b, int at) => (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
}
