using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>/api/jobs over the queue and history: statuses, filters, paging, one job's details, errors.</summary>
public sealed class JobsRoutesTests
{
    [SkippableFact]
    public async Task JobsListEveryPromptWithItsStatusNewestFirstAndOneJobHasItsDetails()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();
        string done = await server.QueueAsync(ServerFolder.Txt2Img(), "me",
            new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = new JsonObject { ["id"] = "wf-1" } } });
        await ws.ReadPromptAsync(done);
        string running = await server.QueueAsync(ServerFolder.Txt2Img(seed: 2, steps: 10000), "me");
        await ws.ReadUntilAsync(f => f.Type == "progress");
        string pending = await server.QueueAsync(ServerFolder.Txt2Img(seed: 3), "me");

        var all = (await server.Http.GetFromJsonAsync<JsonObject>("api/jobs"))!;
        var jobs = all["jobs"]!.AsArray().Select(j => j!.AsObject()).ToList();
        Assert.Equal(new Dictionary<string, string> { [done] = "completed", [running] = "in_progress", [pending] = "pending" },
            jobs.ToDictionary(j => j["id"]!.GetValue<string>(), j => j["status"]!.GetValue<string>()));
        var created = jobs.Select(j => j["create_time"]!.GetValue<long>()).ToList();
        Assert.Equal(created.OrderDescending(), created);
        Assert.Equal("""{"offset":0,"limit":null,"total":3,"has_more":false}""", all["pagination"]!.ToJsonString());

        var completed = (await server.Http.GetFromJsonAsync<JsonObject>("api/jobs?status=completed&workflow_id=wf-1"))!["jobs"]!.AsArray().Single()!;
        Assert.Equal(1, completed["outputs_count"]!.GetValue<int>());
        Assert.Equal("""{"filename":"t_00001_.png","subfolder":"","type":"output","nodeId":"9","mediaType":"images"}""", completed["preview_output"]!.ToJsonString());
        Assert.True(completed["execution_end_time"]!.GetValue<long>() >= completed["execution_start_time"]!.GetValue<long>());
        Assert.Null(completed["execution_error"]);

        var paged = (await server.Http.GetFromJsonAsync<JsonObject>("api/jobs?limit=1&offset=1&sort_order=asc"))!;
        Assert.Equal("""{"offset":1,"limit":1,"total":3,"has_more":true}""", paged["pagination"]!.ToJsonString());

        var detail = (await server.Http.GetFromJsonAsync<JsonObject>($"api/jobs/{done}"))!;
        Assert.Equal(completed["preview_output"]!.ToJsonString(), detail["preview_output"]!.ToJsonString());
        Assert.Equal("success", detail["execution_status"]!["status_str"]!.GetValue<string>());
        Assert.Equal("SaveImage", detail["workflow"]!["prompt"]!["9"]!["class_type"]!.GetValue<string>());
        Assert.Equal("pending", (await server.Http.GetFromJsonAsync<JsonObject>($"api/jobs/{pending}"))!["status"]!.GetValue<string>());

        var unknown = await server.Http.GetAsync("api/jobs/nope");
        Assert.Equal((HttpStatusCode.NotFound, """{"error":"Job not found"}"""), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));
        var bad = await server.Http.GetAsync("api/jobs?status=done,failed");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Invalid status value(s): done. Valid values: pending, in_progress, completed, failed",
            JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());

        await server.Http.PostAsync("interrupt", null);
        await ws.ReadPromptAsync(running);
        var failed = (await server.Http.GetFromJsonAsync<JsonObject>("api/jobs?status=failed"))!["jobs"]!.AsArray().Single()!;
        Assert.Equal(running, failed["id"]!.GetValue<string>());
    }
}
