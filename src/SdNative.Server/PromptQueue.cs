using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace SdNative.Server;

/// <summary>
/// The queue and the history as /queue, /history and the execution worker see them. Pending
/// prompts run lowest number first (ties by prompt_id), as ComfyUI's heap orders them. Every
/// change is written through to the <see cref="PromptStore"/> before it becomes visible.
/// </summary>
public sealed class PromptQueue
{
    /// <summary>ComfyUI keeps at most this many history entries.</summary>
    public const int MaxHistory = 10000;

    private readonly PromptStore _store;
    private readonly Lock _lock = new();
    private readonly List<QueueItem> _pending = new();
    private readonly Dictionary<string, JsonObject> _history = new();
    private readonly LinkedList<string> _historyOrder = new();
    private readonly Channel<bool> _wake = Channel.CreateUnbounded<bool>();
    private long _counter;

    /// <param name="failedAfterRestart">The history entry of a prompt that was running when the server last stopped without
    /// finishing them: each is queued again once; one that was already retried is failed (its
    /// history entry says why), so a prompt that crashes the server cannot crash it forever.</param>
    public PromptQueue(PromptStore store, Func<QueueItem, JsonObject> failedAfterRestart)
    {
        _store = store;
        _counter = store.Counter();
        foreach (var (id, entry) in store.LoadHistory())
        {
            _history[id] = entry;
            _historyOrder.AddLast(id);
        }
        foreach (var row in store.LoadQueue())
        {
            if (row.Running && row.Attempts > 1)
            {
                var entry = failedAfterRestart(row.Item);
                store.Finish(row.Item.PromptId, entry, MaxHistory);
                AppendHistory(row.Item.PromptId, entry);
                continue;
            }
            if (row.Running)
            {
                store.MarkPending(row.Item.PromptId);
            }
            Insert(row.Item);
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Raised after every change of queue_remaining (put, take, finish, delete).</summary>
    public event Action<int>? Changed;

    public QueueItem? Running { get; private set; }

    /// <summary>Pending plus running, as ComfyUI's exec_info.queue_remaining.</summary>
    public int Remaining
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count + (Running is null ? 0 : 1);
            }
        }
    }

    /// <summary>The next automatic number: the counter, negated for `front`; the counter moves either way.</summary>
    public double NextNumber(bool front)
    {
        lock (_lock)
        {
            long n = _counter++;
            _store.SetCounter(_counter);
            return front ? -n : n;
        }
    }

    public void Put(QueueItem item)
    {
        lock (_lock)
        {
            _store.AddPending(item, _counter);
            _pending.RemoveAll(p => p.PromptId == item.PromptId);
            Insert(item);
        }
        _wake.Writer.TryWrite(true);
        Changed?.Invoke(Remaining);
    }

    /// <summary>Waits until a prompt is pending and makes it the running one.</summary>
    public async Task<QueueItem> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            QueueItem? item = null;
            lock (_lock)
            {
                if (_pending.Count > 0)
                {
                    item = _pending[0];
                    _pending.RemoveAt(0);
                    _store.MarkRunning(item.PromptId);
                    Running = item;
                }
            }
            if (item is not null)
            {
                Changed?.Invoke(Remaining);
                return item;
            }
        }
    }

    /// <summary>Ends the running prompt: its history entry is stored before it leaves the queue.</summary>
    public void Finish(QueueItem item, JsonObject entry)
    {
        lock (_lock)
        {
            _store.Finish(item.PromptId, entry, MaxHistory);
            AppendHistory(item.PromptId, entry);
            if (Running == item)
            {
                Running = null;
            }
        }
        Changed?.Invoke(Remaining);
    }

    /// <summary>Puts the running prompt back at the head of the queue (the server is stopping).</summary>
    public void Requeue(QueueItem item)
    {
        lock (_lock)
        {
            _store.MarkPending(item.PromptId, uncount: true);
            Running = null;
            Insert(item);
        }
        _wake.Writer.TryWrite(true);
    }

    public (QueueItem? Running, IReadOnlyList<QueueItem> Pending) Snapshot()
    {
        lock (_lock)
        {
            return (Running, _pending.ToList());
        }
    }

    /// <summary>Removes pending prompts (a running one is not touched, as in ComfyUI).</summary>
    public void DeletePending(Func<QueueItem, bool> which)
    {
        lock (_lock)
        {
            var gone = _pending.Where(which).ToList();
            _store.RemoveQueued(gone.Select(g => g.PromptId));
            _pending.RemoveAll(p => gone.Contains(p));
        }
        Changed?.Invoke(Remaining);
    }

    /// <summary>ComfyUI's get_history: with max_items and no offset, the newest max_items; else from offset.</summary>
    public JsonObject History(int? maxItems, int offset)
    {
        lock (_lock)
        {
            if (offset < 0 && maxItems is { } max)
            {
                offset = _historyOrder.Count - max;
            }
            var result = new JsonObject();
            int i = 0;
            foreach (var id in _historyOrder)
            {
                if (i >= offset)
                {
                    result[id] = _history[id].DeepClone();
                    if (maxItems is { } m && result.Count >= m)
                    {
                        break;
                    }
                }
                i++;
            }
            return result;
        }
    }

    public JsonObject? HistoryEntry(string promptId)
    {
        lock (_lock)
        {
            return _history.TryGetValue(promptId, out var entry) ? (JsonObject)entry.DeepClone() : null;
        }
    }

    public void DeleteHistory(IReadOnlyList<string> promptIds)
    {
        lock (_lock)
        {
            _store.DeleteHistory(promptIds);
            foreach (var id in promptIds)
            {
                if (_history.Remove(id))
                {
                    _historyOrder.Remove(id);
                }
            }
        }
    }

    public void ClearHistory()
    {
        lock (_lock)
        {
            _store.ClearHistory();
            _history.Clear();
            _historyOrder.Clear();
        }
    }

    private void AppendHistory(string promptId, JsonObject entry)
    {
        if (_history.Remove(promptId))
        {
            _historyOrder.Remove(promptId);
        }
        _history[promptId] = entry;
        _historyOrder.AddLast(promptId);
        while (_historyOrder.Count > MaxHistory)
        {
            _history.Remove(_historyOrder.First!.Value);
            _historyOrder.RemoveFirst();
        }
    }

    private void Insert(QueueItem item)
    {
        int at = _pending.FindIndex(p => Compare(item, p) < 0);
        _pending.Insert(at < 0 ? _pending.Count : at, item);
    }

    private static int Compare(QueueItem a, QueueItem b)
    {
        int byNumber = a.Number.CompareTo(b.Number);
        return byNumber != 0 ? byNumber : string.CompareOrdinal(a.PromptId, b.PromptId);
    }
}
