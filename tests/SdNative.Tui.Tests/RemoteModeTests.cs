using Microsoft.AspNetCore.Builder;
using SdNative.Server;
using SdNative.Tui.Engine;
using SdNative.Tui.Workflow;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>--server: the same screens drive a running `sdnative serve` (the real server, in
/// process on a loopback port) through /object_info, /prompt, /ws and /view.</summary>
public class RemoteModeTests
{
    [SkippableFact]
    public Task F5QueuesOnTheServerShowsItsPreviewsAndFetchesTheResult() => WithServerAsync(RunRemote);

    [SkippableFact]
    public Task EscInterruptsThePromptOnTheServer() => WithServerAsync(CancelRemote);

    /// <summary>The real server on Kestrel (the UI needs a WebSocket) over a folder with the tiny model.</summary>
    private static async Task WithServerAsync(Action<Uri, TuiWorkspace, TuiWorkspace> test)
    {
        using var server = TuiWorkspace.WithTinyModel();
        using var local = TuiWorkspace.Empty();
        var app = ServerApp.Build(["--port", "0", "--base", server.Base, "--threads", "2"]);
        await app.StartAsync();
        try
        {
            test(new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1") + "/"), server, local);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static void CancelRemote(Uri address, TuiWorkspace server, TuiWorkspace local)
    {
        using var tui = TuiHarness.Start(new TuiOptions(Run: local.Run, Server: address));

        Assert.Equal(JobState.Cancelled, tui.GenerateThenCancelAfterTheFirstStep().State);
        Assert.False(tui.Window.QuitRequested);
        // The server stopped too: its queue drains without writing the image.
        using var http = new HttpClient { BaseAddress = address };
        tui.PumpUntil(() => http.GetStringAsync("queue").GetAwaiter().GetResult().Replace(" ", "") == "{\"queue_running\":[],\"queue_pending\":[]}", "the server's empty queue");
        Assert.Empty(server.OutputFiles());
    }

    private static void RunRemote(Uri address, TuiWorkspace server, TuiWorkspace local)
    {
        using var tui = TuiHarness.Start(new TuiOptions(Run: local.Run, Server: address));
        var screen = tui.Window.Generate;
        var shown = new List<GenerationJob>();
        int previews = 0, steps = 0;
        screen.ResultShown += shown.Add;
        tui.Session.Queue.JobProgress += (_, u) =>
        {
            Interlocked.Add(ref previews, u.Preview is null ? 0 : 1);
            Interlocked.Exchange(ref steps, Math.Max(steps, u.Step));
        };
        // The choices come from the server's object_info: its checkpoint and input image.
        Assert.Equal(TuiWorkspace.Checkpoint, screen.Form.Field("Model")!.Text);
        screen.Form.Steps!.Text = "2";
        screen.Form.Denoise!.Text = "1";
        screen.Form.Field("Positive")!.Text = "a remote lighthouse";

        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count > 0, "the server's result");

        var job = Assert.Single(shown);
        Assert.True(job.State == JobState.Done, job.Error);
        string serverFile = Assert.Single(server.OutputFiles());
        string fetched = Assert.Single(job.Outcome!.Files);
        Assert.Equal(Path.Combine(local.Output, "remote", Path.GetFileName(serverFile)), fetched);
        Assert.Equal(File.ReadAllBytes(serverFile), File.ReadAllBytes(fetched));
        var saved = GenerateInputs.Find(PngWorkflow.Read(fetched)!);
        Assert.Equal("a remote lighthouse", saved.Get(saved.PositiveNode, "text"));
        Assert.Equal(2, steps);
        Assert.True(previews >= 1, "previews come from the server's binary frames");
        Assert.Same(job.Outcome.Image, screen.Picture.Picture);
        Assert.Contains(address.Authority, tui.Screen());
    }
}
