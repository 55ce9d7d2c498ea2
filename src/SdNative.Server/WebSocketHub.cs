using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// The connected /ws clients by session id. Text events are {"type", "data"}; a null sid
/// broadcasts to every client. A new socket with a known clientId replaces the old one, as in ComfyUI.
/// </summary>
public sealed class WebSocketHub
{
    private readonly ConcurrentDictionary<string, WebSocketClient> _clients = new();

    public int Count => _clients.Count;

    /// <summary>Whether a live socket holds this sid: one whose pump has ended (dropped or closed)
    /// no longer counts, even in the moment before its route removes it from the table.</summary>
    public bool IsConnected(string sid) =>
        _clients.TryGetValue(sid, out var client) && !client.IsDropped && !client.Pump.IsCompleted;

    /// <summary>Completes when the client with this sid is dropped or closes (already complete if none).</summary>
    public Task Gone(string sid) => _clients.TryGetValue(sid, out var client) ? client.Pump : Task.CompletedTask;

    public void Add(WebSocketClient client)
    {
        if (_clients.TryGetValue(client.Sid, out var old))
        {
            old.Drop();
        }
        _clients[client.Sid] = client;
    }

    /// <summary>Forgets the client unless a newer socket took its sid.</summary>
    public void Remove(WebSocketClient client) =>
        _clients.TryRemove(new KeyValuePair<string, WebSocketClient>(client.Sid, client));

    public void Send(string? sid, string type, JsonNode? data)
    {
        var bytes = Message(type, data);
        foreach (var client in Targets(sid))
        {
            client.SendText(bytes);
        }
    }

    public void SendBinary(string? sid, byte[] frame)
    {
        foreach (var client in Targets(sid))
        {
            client.SendBinary(frame);
        }
    }

    public static byte[] Message(string type, JsonNode? data) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["data"] = data?.DeepClone() }.ToJsonString());

    private IEnumerable<WebSocketClient> Targets(string? sid)
    {
        if (sid is null)
        {
            return _clients.Values.Where(c => !c.IsDropped).ToList();
        }
        return _clients.TryGetValue(sid, out var client) && !client.IsDropped ? [client] : [];
    }
}
