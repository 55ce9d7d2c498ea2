using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace SdNative.Server.Tests;

/// <summary>The real application on Kestrel, 127.0.0.1 and a free port, over a given base folder.</summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private LiveServer(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }

    public static async Task<LiveServer> StartAsync(string baseDir, params string[] args)
    {
        var app = ServerApp.Build(["--port", "0", "--base", baseDir, "--threads", "2", .. args]);
        await app.StartAsync();
        return new LiveServer(app, new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1") + "/"));
    }

    public async Task<WsTestClient> ConnectAsync(string? clientId = null) =>
        await WsTestClient.ConnectAsync(new Uri(Address, clientId is null ? "ws" : $"ws?clientId={clientId}"));

    /// <summary>POSTs {prompt, client_id, extra_data} to /prompt and returns the prompt_id (the call must succeed).</summary>
    public async Task<string> QueueAsync(JsonObject prompt, string? clientId = null, JsonObject? extraData = null)
    {
        var body = new JsonObject { ["prompt"] = prompt };
        if (clientId is not null)
        {
            body["client_id"] = clientId;
        }
        if (extraData is not null)
        {
            body["extra_data"] = extraData;
        }
        var response = await Http.PostAsync("prompt", new StringContent(body.ToJsonString()));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["prompt_id"]!.GetValue<string>();
    }

    public async Task<JsonObject> HistoryAsync(string promptId) =>
        (await Http.GetFromJsonAsync<JsonObject>($"history/{promptId}"))![promptId]!.AsObject();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
