using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace SdNative.Server;

/// <summary>GET /ws?clientId=: ComfyUI's event socket (comfy-compat §3.9).</summary>
public static class WebSocketRoutes
{
    public static IEndpointRouteBuilder MapWebSocket(this IEndpointRouteBuilder routes)
    {
        routes.Map("/ws", Connect);
        return routes;
    }

    private static async Task Connect(HttpContext context, WebSocketHub hub, PromptQueue queue, ExecutionWorker worker, ServerOptions options,
        IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        string? asked = context.Request.Query["clientId"];
        string sid = string.IsNullOrEmpty(asked) ? Guid.NewGuid().ToString("N") : asked;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var client = new WebSocketClient(sid, socket, options.WebSocketQueue, TimeSpan.FromSeconds(options.WebSocketSendTimeoutSeconds));
        hub.Add(client);
        try
        {
            client.SendText(WebSocketHub.Message("status", new JsonObject
            {
                ["status"] = Status(queue.Remaining),
                ["sid"] = sid,
            }));
            if (worker.CurrentNodeFor(sid) is { } node)
            {
                client.SendText(WebSocketHub.Message("executing", new JsonObject { ["node"] = node }));
            }
            // A stopping server says "going away" instead of holding its shutdown until the client leaves.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            await ReadAsync(socket, client, stop.Token);
            if (lifetime.ApplicationStopping.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "server stopping", closing.Token)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            hub.Remove(client);
            client.Drop();
        }
    }

    /// <summary>{"exec_info": {"queue_remaining": N}}: the body of GET /prompt and of status events.</summary>
    public static JsonObject Status(int remaining) => new() { ["exec_info"] = new JsonObject { ["queue_remaining"] = remaining } };

    /// <summary>Reads until the client closes; a first text message of type feature_flags gets ours back, the rest is ignored.</summary>
    private static async Task ReadAsync(WebSocket socket, WebSocketClient client, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, client.Closed);
        var buffer = new byte[16 * 1024];
        bool first = true;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, stop.Token);
                    if (message.Length + result.Count > 1024 * 1024)
                    {
                        return; // a client message is a few bytes of flags; anything this big is not one
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (first && result.MessageType == WebSocketMessageType.Text && IsFeatureFlags(message.ToArray()))
                {
                    client.SendText(WebSocketHub.Message("feature_flags", System.Text.Json.JsonSerializer.SerializeToNode(FeatureRoutes.Flags)));
                }
                first = false;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closed by the client or dropped by the server.
        }
    }

    private static bool IsFeatureFlags(byte[] utf8)
    {
        try
        {
            return JsonNode.Parse(utf8) is JsonObject o && JsonFields.String(o["type"]) == "feature_flags";
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
