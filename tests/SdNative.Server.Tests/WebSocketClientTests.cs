using System.Net.WebSockets;

namespace SdNative.Server.Tests;

/// <summary>The per-socket send queue: a client that stops reading is dropped, without waiting on it.</summary>
public sealed class WebSocketClientTests
{
    /// <summary>A socket whose peer never reads: every send waits until it is cancelled.</summary>
    private sealed class StalledSocket : WebSocket
    {
        public int Sends;
        public bool Aborted;
        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;
        public override string? SubProtocol => null;
        public override void Abort() => Aborted = true;
        public override Task CloseAsync(WebSocketCloseStatus s, string? d, CancellationToken c) => Task.CompletedTask;
        public override Task CloseOutputAsync(WebSocketCloseStatus s, string? d, CancellationToken c) => Task.CompletedTask;
        public override void Dispose() { }
        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> b, CancellationToken c) => Task.Delay(Timeout.Infinite, c).ContinueWith(_ => new WebSocketReceiveResult(0, WebSocketMessageType.Close, true));
        public override Task SendAsync(ArraySegment<byte> b, WebSocketMessageType t, bool end, CancellationToken c)
        {
            Interlocked.Increment(ref Sends);
            return Task.Delay(Timeout.Infinite, c);
        }
    }

    [Fact]
    public async Task AFullSendQueueDropsTheClientAtOnce()
    {
        var socket = new StalledSocket();
        var client = new WebSocketClient("slow", socket, queueCapacity: 2, sendTimeout: TimeSpan.FromHours(1));
        // At most one message in flight plus two queued: the fourth cannot be taken.
        for (int i = 0; i < 4; i++)
        {
            client.SendText("{}"u8.ToArray());
        }
        Assert.True(client.IsDropped);
        Assert.True(socket.Aborted);
        await client.Pump.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ASendThatStallsPastTheTimeoutDropsTheClient()
    {
        var socket = new StalledSocket();
        var client = new WebSocketClient("slow", socket, queueCapacity: 100, sendTimeout: TimeSpan.FromMilliseconds(100));
        client.SendText("{}"u8.ToArray());
        await client.Pump.WaitAsync(TimeSpan.FromSeconds(30)); // throws if the stalled send is never given up
        Assert.True(client.IsDropped);
        Assert.True(socket.Aborted);
        Assert.Equal(1, socket.Sends);
    }

    [Fact]
    public void ADroppedClientLeavesTheHubAndOthersStillReceive()
    {
        var hub = new WebSocketHub();
        var slow = new WebSocketClient("slow", new StalledSocket(), 1, TimeSpan.FromHours(1));
        var other = new StalledSocket();
        var fine = new WebSocketClient("fine", other, 1000, TimeSpan.FromHours(1));
        hub.Add(slow);
        hub.Add(fine);
        for (int i = 0; i < 10; i++)
        {
            hub.Send(null, "status", null);
        }
        Assert.True(slow.IsDropped);
        Assert.False(fine.IsDropped);
    }
}
