using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace SdNative.Server;

/// <summary>
/// The durable copy of the queue and the history: SQLite in WAL mode, one file in the base
/// folder, created by the first prompt. Every change is one transaction, so a process killed at any point leaves either the
/// state before the change or after it. The in-memory <see cref="PromptQueue"/> is what requests
/// read; this store is written through and read back only at start-up.
/// </summary>
public sealed class PromptStore : IDisposable
{
    public const string FileName = "sdnative-server.db";

    private readonly Lock _lock = new();

    private readonly string _path;
    private SqliteConnection? _db;

    /// <summary>Opens the database if it exists; a server that never queues a prompt leaves no file behind.</summary>
    public PromptStore(string path)
    {
        _path = Path.GetFullPath(path);
        if (File.Exists(_path))
        {
            Open();
        }
    }

    private SqliteConnection Open()
    {
        if (_db is not null)
        {
            return _db;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        db.Open();
        _db = db;
        // WAL + NORMAL survives a killed process (the OS keeps the written log); only a power
        // loss can drop the last transactions.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS queue (prompt_id TEXT PRIMARY KEY, item TEXT NOT NULL,
                running INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                prompt_id TEXT NOT NULL UNIQUE, entry TEXT NOT NULL);
            """);
        return db;
    }

    /// <summary>A queued row: the item, whether it was running, and how many runs it has started.</summary>
    public sealed record QueuedRow(QueueItem Item, bool Running, int Attempts);

    public IReadOnlyList<QueuedRow> LoadQueue()
    {
        lock (_lock)
        {
            if (_db is null)
            {
                return [];
            }
            using var cmd = Command("SELECT item, running, attempts FROM queue ORDER BY rowid");
            using var reader = cmd.ExecuteReader();
            var rows = new List<QueuedRow>();
            while (reader.Read())
            {
                rows.Add(new QueuedRow(QueueItem.FromJson(JsonNode.Parse(reader.GetString(0))!.AsArray()), reader.GetInt64(1) != 0, (int)reader.GetInt64(2)));
            }
            return rows;
        }
    }

    public IReadOnlyList<(string PromptId, JsonObject Entry)> LoadHistory()
    {
        lock (_lock)
        {
            if (_db is null)
            {
                return [];
            }
            using var cmd = Command("SELECT prompt_id, entry FROM history ORDER BY seq");
            using var reader = cmd.ExecuteReader();
            var rows = new List<(string, JsonObject)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), JsonNode.Parse(reader.GetString(1))!.AsObject()));
            }
            return rows;
        }
    }

    public long Counter()
    {
        lock (_lock)
        {
            if (_db is null)
            {
                return 0;
            }
            using var cmd = Command("SELECT value FROM meta WHERE key = 'counter'");
            return cmd.ExecuteScalar() is long value ? value : 0;
        }
    }

    public void AddPending(QueueItem item, long counter) => Transaction(
        ("INSERT OR REPLACE INTO queue (prompt_id, item, running, attempts) VALUES ($id, $item, 0, 0)", [("$id", item.PromptId), ("$item", item.ToJson().ToJsonString())]),
        ("INSERT OR REPLACE INTO meta (key, value) VALUES ('counter', $c)", [("$c", counter)]));

    public void SetCounter(long counter) => Transaction(("INSERT OR REPLACE INTO meta (key, value) VALUES ('counter', $c)", [("$c", counter)]));

    /// <summary>The prompt started running: counted, so a prompt that kills the server twice is not run a third time.</summary>
    public void MarkRunning(string promptId) =>
        Transaction(("UPDATE queue SET running = 1, attempts = attempts + 1 WHERE prompt_id = $id", [("$id", promptId)]));

    /// <summary>Back to pending. <paramref name="uncount"/>: the run ended in a clean stop, not a crash, so it does not count.</summary>
    public void MarkPending(string promptId, bool uncount = false) =>
        Transaction(("UPDATE queue SET running = 0, attempts = MAX(attempts - $less, 0) WHERE prompt_id = $id", [("$id", promptId), ("$less", uncount ? 1 : 0)]));

    public void RemoveQueued(IEnumerable<string> promptIds) =>
        Transaction(promptIds.Select(id => ("DELETE FROM queue WHERE prompt_id = $id", new (string, object)[] { ("$id", id) })).ToArray());

    /// <summary>Writes the history entry and drops the prompt from the queue in one transaction,
    /// keeping at most <paramref name="maxEntries"/> entries (the oldest go).</summary>
    public void Finish(string promptId, JsonObject entry, int maxEntries) => Transaction(
        ("INSERT OR REPLACE INTO history (prompt_id, entry) VALUES ($id, $entry)", [("$id", promptId), ("$entry", entry.ToJsonString())]),
        ("DELETE FROM queue WHERE prompt_id = $id", [("$id", promptId)]),
        ("DELETE FROM history WHERE seq NOT IN (SELECT seq FROM history ORDER BY seq DESC LIMIT $max)", [("$max", maxEntries)]));

    public void DeleteHistory(IEnumerable<string> promptIds) =>
        Transaction(promptIds.Select(id => ("DELETE FROM history WHERE prompt_id = $id", new (string, object)[] { ("$id", id) })).ToArray());

    public void ClearHistory() => Transaction(("DELETE FROM history", []));

    public void Dispose()
    {
        lock (_lock)
        {
            _db?.Dispose();
        }
    }

    private void Transaction(params (string Sql, (string Name, object Value)[] Parameters)[] statements)
    {
        lock (_lock)
        {
            using var transaction = Open().BeginTransaction();
            foreach (var (sql, parameters) in statements)
            {
                using var cmd = Command(sql);
                cmd.Transaction = transaction;
                foreach (var (name, value) in parameters)
                {
                    cmd.Parameters.AddWithValue(name, value);
                }
                cmd.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql)
    {
        var cmd = _db!.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }
}
