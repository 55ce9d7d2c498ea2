using System.Text.Json.Nodes;
using SdNative.Workflow.Tests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server.Tests;

/// <summary>The server's binary preview frames come from the TAESD decoder in models/vae_approx
/// when a prompt asks for "taesd", and from the latent→RGB projection for "auto" (ComfyUI's
/// meaning). The decoder here paints every image one colour, which the projection never does.</summary>
public sealed class TaesdPreviewTests
{
    private static readonly Rgb24 Colour = new(51, 153, 255);

    private static List<Image<Rgb24>> Previews(List<WsTestClient.Frame> frames) =>
        frames.Where(f => f.Binary is not null).Select(f => Image.Load<Rgb24>(f.Binary![8..])).ToList();

    [SkippableFact]
    public async Task TaesdPreviewFramesAreTheDecodersImagesAndAutoStaysTheProjection()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        string approx = Path.Combine(folder.Base, "models", "vae_approx");
        Directory.CreateDirectory(approx);
        ConstantTaesd.Write(Path.Combine(approx, "taesd_decoder.safetensors"), Colour);
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();

        string id = await server.QueueAsync(ServerFolder.Txt2Img(seed: 1, steps: 2), "me", new JsonObject { ["preview_method"] = "taesd" });
        var taesd = Previews(await ws.ReadPromptAsync(id));
        Assert.Equal(2, taesd.Count);
        Assert.All(taesd, image => Assert.Equal((512, 512), (image.Width, image.Height)));
        Assert.All(taesd, image => Assert.True(ConstantTaesd.Painted(image, Colour), "a TAESD preview frame is not the decoder's colour"));

        string other = await server.QueueAsync(ServerFolder.Txt2Img(seed: 2, steps: 2), "me", new JsonObject { ["preview_method"] = "auto" });
        var projected = Previews(await ws.ReadPromptAsync(other));
        Assert.Equal(2, projected.Count);
        Assert.All(projected, image => Assert.False(ConstantTaesd.Painted(image, Colour), "an auto preview frame came from TAESD"));
    }
}
