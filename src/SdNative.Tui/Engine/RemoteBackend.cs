using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SdNative.Tui.Engine;

/// <summary>
/// Runs prompts on a ComfyUI-compatible server (`sdnative serve` or ComfyUI itself) through
/// its API: POST /prompt with our client id, the /ws events for progress and the binary
/// preview frames, /history for the outputs and /view to fetch them into the local output
/// folder's remote/ subfolder. Cancelling posts /interrupt (and drops the prompt from /queue).
/// </summary>
public sealed class RemoteBackend : IGenerationBackend
{
    private readonly HttpClient _http;
    private volatile string _downloads;
    private readonly ILogger? _logger;
    private readonly string _clientId = Guid.NewGuid().ToString("N");

    public RemoteBackend(Uri server, string outputDir, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        var address = new Uri(server.ToString().TrimEnd('/') + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = address;
        _downloads = Path.Combine(outputDir, "remote");
        _logger = logger;
    }

    public string Name => _http.BaseAddress!.Authority;

    /// <summary>Only the output folder matters here: threads and device are the server's.</summary>
    public void Reconfigure(SdNative.Workflow.RunOptions options) =>
        _downloads = Path.Combine(options.Folders().OutputDir, "remote");

    public async Task<JsonObject> ObjectInfoAsync(CancellationToken cancellationToken) =>
        (JsonObject)JsonNode.Parse(await _http.GetStringAsync("object_info", cancellationToken))!;

    /// <summary>A server validates only what it queues, so checking here would run it: errors
    /// come back when the prompt is queued (as the job's ErrorBody).</summary>
    public Task<JsonObject?> ValidateAsync(JsonObject prompt, CancellationToken cancellationToken) => Task.FromResult<JsonObject?>(null);

    public async Task<GenerationOutcome> RunAsync(JsonObject prompt, IProgress<GenerationUpdate> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var socket = new ClientWebSocket();
        var wsAddress = new UriBuilder(new Uri(_http.BaseAddress!, $"ws?clientId={_clientId}")) { Scheme = _http.BaseAddress!.Scheme == "https" ? "wss" : "ws" }.Uri;
        await socket.ConnectAsync(wsAddress, cancellationToken);
        string promptId = await QueueAsync(prompt, cancellationToken);
        var events = new ServerEvents(promptId, progress);
        try
        {
            await events.ReadUntilDoneAsync(socket, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(promptId);
            throw;
        }
        if (events.Error is not null)
        {
            throw new GenerationFailedException(events.Error);
        }
        var files = await DownloadOutputsAsync(promptId, cancellationToken);
        var image = files.Count > 0 ? RgbImage.Load(files[0]) : null;
        return new GenerationOutcome(files, image, clock.Elapsed, events.Steps);
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> QueueAsync(JsonObject prompt, CancellationToken cancellationToken)
    {
        // Live previews are asked for per prompt: a server's own default is often none.
        var body = new JsonObject
        {
            ["prompt"] = prompt.DeepClone(),
            ["client_id"] = _clientId,
            ["extra_data"] = new JsonObject { ["preview_method"] = "auto" },
        };
        using var response = await _http.PostAsync("prompt", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        var answer = JsonNode.Parse(text) as JsonObject;
        if (!response.IsSuccessStatusCode)
        {
            string message = answer?["error"]?["message"]?.ToString() ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            throw new GenerationFailedException($"the server refused the prompt: {message}", answer?.ContainsKey("node_errors") == true ? answer : null);
        }
        return answer?["prompt_id"]?.ToString() ?? throw new GenerationFailedException("the server's /prompt answer has no prompt_id");
    }

    private async Task StopAsync(string promptId)
    {
        try
        {
            var id = new JsonObject { ["prompt_id"] = promptId }.ToJsonString();
            using var deleted = await _http.PostAsync("queue", new StringContent(new JsonObject { ["delete"] = new JsonArray(promptId) }.ToJsonString(), Encoding.UTF8, "application/json"));
            using var interrupted = await _http.PostAsync("interrupt", new StringContent(id, Encoding.UTF8, "application/json"));
        }
        catch (HttpRequestException e)
        {
            _logger?.LogWarning(e, "could not interrupt prompt {PromptId}", promptId);
        }
    }

    private async Task<IReadOnlyList<string>> DownloadOutputsAsync(string promptId, CancellationToken cancellationToken)
    {
        // One folder for the whole prompt even if the settings change while it downloads.
        string downloads = _downloads;
        var history = JsonNode.Parse(await _http.GetStringAsync($"history/{promptId}", cancellationToken));
        var files = new List<string>();
        foreach (var (_, output) in history?[promptId]?["outputs"] as JsonObject ?? [])
        {
            foreach (var image in output?["images"] as JsonArray ?? [])
            {
                if (image?["type"]?.ToString() != "output")
                {
                    continue;
                }
                string name = Path.GetFileName(image["filename"]!.ToString());
                string query = $"view?filename={Uri.EscapeDataString(name)}&subfolder={Uri.EscapeDataString(image["subfolder"]?.ToString() ?? "")}&type=output";
                byte[] bytes = await _http.GetByteArrayAsync(query, cancellationToken);
                Directory.CreateDirectory(downloads);
                string path = Path.Combine(downloads, name);
                await File.WriteAllBytesAsync(path, bytes, cancellationToken);
                files.Add(path);
            }
        }
        return files;
    }
}
