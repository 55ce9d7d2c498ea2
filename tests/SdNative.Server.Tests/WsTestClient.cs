using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>A ClientWebSocket that reads events one at a time; every wait has a generous guard so a
/// missing event fails the test instead of hanging it.</summary>
internal sealed class WsTestClient : IDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly ClientWebSocket _socket = new();

    /// <summary>A text event ("type", "data") or a binary frame.</summary>
    public sealed record Frame(string? Type, JsonObject? Data, byte[]? Binary)
    {
        public string? PromptId => Data?["prompt_id"]?.GetValue<string>();
        public override string ToString() => Binary is null ? $"{Type} {Data?.ToJsonString()}" : $"binary[{Binary.Length}]";
    }

    public static async Task<WsTestClient> ConnectAsync(Uri address)
    {
        var client = new WsTestClient();
        var ws = new UriBuilder(address) { Scheme = "ws" }.Uri;
        using var guard = new CancellationTokenSource(Guard);
        await client._socket.ConnectAsync(ws, guard.Token);
        return client;
    }

    public ClientWebSocket Socket => _socket;

    public async Task<Frame> ReceiveAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, guard.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new InvalidOperationException("the server closed the socket");
        }
        if (result.MessageType == WebSocketMessageType.Binary)
        {
            return new Frame(null, null, message.ToArray());
        }
        var json = JsonNode.Parse(message.ToArray())!.AsObject();
        return new Frame(json["type"]!.GetValue<string>(), json["data"] as JsonObject, null);
    }

    /// <summary>Every frame up to and including the first that matches.</summary>
    public async Task<List<Frame>> ReadUntilAsync(Func<Frame, bool> last)
    {
        var frames = new List<Frame>();
        while (true)
        {
            var frame = await ReceiveAsync();
            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>The frames of one prompt up to its "executing {node: null}".</summary>
    public Task<List<Frame>> ReadPromptAsync(string promptId) =>
        ReadUntilAsync(f => f.Type == "executing" && f.Data!["node"] is null && f.PromptId == promptId);

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => _socket.Dispose();
}
