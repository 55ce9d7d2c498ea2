using System.Net.WebSockets;
using System.Threading.Channels;

namespace SdNative.Server;

/// <summary>
/// One connected socket with its own bounded send queue, drained by its own task. A client that
/// stops reading fills its queue (or stalls one send past the timeout) and is dropped; nobody
/// else waits for it (ComfyUI's single send loop stalls every client here).
/// </summary>
public sealed class WebSocketClient
{
    private readonly WebSocket _socket;
    private readonly Channel<(ReadOnlyMemory<byte> Data, WebSocketMessageType Type)> _outbox;
    private readonly TimeSpan _sendTimeout;
    private readonly CancellationTokenSource _closed = new();

    public WebSocketClient(string sid, WebSocket socket, int queueCapacity, TimeSpan sendTimeout)
    {
        Sid = sid;
        _socket = socket;
        _sendTimeout = sendTimeout;
        _outbox = Channel.CreateBounded<(ReadOnlyMemory<byte>, WebSocketMessageType)>(
            new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Pump = Task.Run(PumpAsync);
    }

    public string Sid { get; }

    /// <summary>Ends when the socket is dropped or closed.</summary>
    public Task Pump { get; }

    public bool IsDropped => _closed.IsCancellationRequested;

    /// <summary>Cancelled when the client is dropped or closed: readers stop on it.</summary>
    public CancellationToken Closed => _closed.Token;

    public void SendText(ReadOnlyMemory<byte> utf8) => Enqueue(utf8, WebSocketMessageType.Text);

    public void SendBinary(ReadOnlyMemory<byte> frame) => Enqueue(frame, WebSocketMessageType.Binary);

    /// <summary>Stops sending and aborts the socket.</summary>
    public void Drop()
    {
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
            _outbox.Writer.TryComplete();
            _socket.Abort();
        }
    }

    private void Enqueue(ReadOnlyMemory<byte> data, WebSocketMessageType type)
    {
        if (!_outbox.Writer.TryWrite((data, type)))
        {
            Drop(); // the queue is full: the client is not reading
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var (data, type) in _outbox.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
                timeout.CancelAfter(_sendTimeout);
                await _socket.SendAsync(data, type, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // A stalled, closed or broken socket: dropped below.
        }
        Drop();
    }
}
