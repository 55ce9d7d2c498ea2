using SdNative.Workflow.Tests;

namespace SdNative.Tui.Tests;

/// <summary>Which editors the generate screen builds from a workflow and object_info.</summary>
public class GenerateFormTests
{
    [Fact]
    public void ASizeNodeGetsWidthAndHeightWithComfysRangeAndNoImagePicker()
    {
        using var workspace = TuiWorkspace.Empty();
        string txt2img = Path.Combine(TestFolders.RepoRoot(), "examples", "txt2img.json");
        using var tui = TuiHarness.Start(new TuiOptions(txt2img, workspace.Run));
        var form = tui.Window.Generate.Form;
        Assert.Null(form.Field("Image"));
        var width = form.Field("Width")!;
        Assert.Equal("empty_latent", width.Node);
        // EmptyLatentImage: min 16, step 8 (ComfyUI nodes.py), max MAX_RESOLUTION.
        Assert.Equal((16d, 8d), (width.Range!.Min!.Value, width.Range.Step!.Value));
        width.Text = "128";
        form.Field("Height")!.Text = "96";
        Assert.True(form.TryCommit(out string error), error);
        var inputs = tui.Session.Inputs;
        Assert.Equal(("128", "96"), (inputs.Get("empty_latent", "width"), inputs.Get("empty_latent", "height")));
        Assert.Contains("16..16384 step 8", tui.Screen());
    }

    [Fact]
    public void TheImagePickerListsTheInputFolderAndShowsAThumbnail()
    {
        using var workspace = TuiWorkspace.Empty();
        File.Copy(Path.Combine(workspace.Input, "example.png"), Path.Combine(workspace.Input, "second.png"));
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var form = tui.Window.Generate.Form;
        var image = form.Field("Image")!;
        Assert.Equal(["example.png", "second.png"], image.Range!.Choices);
        Assert.Equal("example.png", image.Text);
        // A 64×64 picture in the 16×4-cell thumbnail: 8×8 pixels, square on screen.
        var thumbnail = form.Thumbnail.Image!;
        Assert.Equal((64, 64), (thumbnail.Width, thumbnail.Height));
        image.Text = "missing.png";
        Assert.Null(form.Thumbnail.Image);
        Assert.False(form.TryCommit(out string error));
        Assert.Equal("Image: 'missing.png' is not one of the 2 choices", error);
    }
}
