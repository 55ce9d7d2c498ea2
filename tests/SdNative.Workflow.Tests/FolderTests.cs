namespace SdNative.Workflow.Tests;

public class FolderTests
{
    [Fact]
    public void CheckpointListIsRecursiveSortedAndFilteredByExtension()
    {
        using var folders = new TestFolders();
        string ckpt = Path.Combine(folders.Base, "models", "checkpoints");
        Directory.CreateDirectory(Path.Combine(ckpt, "sd15"));
        File.WriteAllBytes(Path.Combine(ckpt, "sd15", "b.ckpt"), []);
        File.WriteAllBytes(Path.Combine(ckpt, "A.gguf"), []);
        File.WriteAllBytes(Path.Combine(ckpt, "notes.txt"), []);
        var list = folders.Options.Folders().List(ModelFolders.Checkpoints);
        Assert.Equal(["A.gguf", "model.safetensors", "sd15/b.ckpt"], list);
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    [InlineData("./model.safetensors")]
    [InlineData("")]
    public void NamesCannotLeaveTheFolder(string name)
    {
        using var folders = new TestFolders();
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "outside.safetensors"), []);
        Assert.Null(folders.Options.Folders().Resolve(ModelFolders.Checkpoints, name));
    }

    [Fact]
    public void AbsolutePathsAreRefused()
    {
        using var folders = new TestFolders();
        string absolute = Path.Combine(folders.Base, "models", "checkpoints", "model.safetensors");
        Assert.Null(folders.Options.Folders().Resolve(ModelFolders.Checkpoints, absolute));
        Assert.NotNull(folders.Options.Folders().Resolve(ModelFolders.Checkpoints, "model.safetensors"));
    }

    [Fact]
    public void SymlinkThatEscapesIsRefusedAndNotListed()
    {
        using var folders = new TestFolders();
        string outside = Path.Combine(folders.Base, "secret.safetensors");
        File.WriteAllBytes(outside, []);
        string ckpt = Path.Combine(folders.Base, "models", "checkpoints");
        File.CreateSymbolicLink(Path.Combine(ckpt, "escape.safetensors"), outside);
        Directory.CreateSymbolicLink(Path.Combine(ckpt, "dirlink"), folders.Base);
        // A link that stays inside is fine.
        File.CreateSymbolicLink(Path.Combine(ckpt, "alias.safetensors"), Path.Combine(ckpt, "model.safetensors"));
        var f = folders.Options.Folders();
        Assert.Null(f.Resolve(ModelFolders.Checkpoints, "escape.safetensors"));
        Assert.Null(f.Resolve(ModelFolders.Checkpoints, "dirlink/secret.safetensors"));
        Assert.NotNull(f.Resolve(ModelFolders.Checkpoints, "alias.safetensors"));
        Assert.Equal(["alias.safetensors", "model.safetensors"], f.List(ModelFolders.Checkpoints));
    }

    [Fact]
    public void OverridesReplaceTheBaseSubfolders()
    {
        var options = new RunOptions(BaseDir: "/base", ModelsDir: "/m", OutputDir: "/o");
        var f = options.Folders();
        Assert.Equal("/m", f.ModelsDir);
        Assert.Equal("/base/input", f.InputDir);
        Assert.Equal("/o", f.OutputDir);
    }

    [Fact]
    public void LoadImageAcceptsAnnotatedNamesAndRefusesEscapes()
    {
        using var folders = new TestFolders();
        var f = folders.Options.Folders();
        Assert.NotNull(Nodes.ImageIoNodes.ResolveImage(f, "example.png"));
        Assert.NotNull(Nodes.ImageIoNodes.ResolveImage(f, "example.png [input]"));
        Assert.Null(Nodes.ImageIoNodes.ResolveImage(f, "example.png [output]"));
        Assert.Null(Nodes.ImageIoNodes.ResolveImage(f, "../input/example.png"));
    }
}
