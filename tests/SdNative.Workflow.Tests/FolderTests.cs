using SdNative.Imaging;

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

    /// <summary>Names refused by their text, whatever the disk holds: ComfyUI's traversal checks
    /// plus what a web layer could decode into a separator.</summary>
    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    [InlineData("..\\outside.safetensors")]
    [InlineData("sub\\..\\..\\outside.safetensors")]
    [InlineData("./model.safetensors")]
    [InlineData("sub//model.safetensors")]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("\\server\\share\\model.safetensors")]
    [InlineData("C:\\models\\model.safetensors")]
    [InlineData("c:model.safetensors")]
    [InlineData("model.safetensors\0.txt")]
    [InlineData("..%2foutside.safetensors")]
    [InlineData("..%2Foutside.safetensors")]
    [InlineData("..%5coutside.safetensors")]
    [InlineData("%2e%2e/outside.safetensors")]
    [InlineData("model.safetensors%00")]
    public void HostileNamesAreRefused(string name)
    {
        using var folders = new TestFolders();
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "outside.safetensors"), []);
        // Files with the literal names exist where the OS allows, so only the name check refuses them.
        foreach (var literal in new[] { "..%2foutside.safetensors", "..%2Foutside.safetensors", "..%5coutside.safetensors", "model.safetensors%00", "c:model.safetensors" })
        {
            File.WriteAllBytes(Path.Combine(folders.Base, "models", "checkpoints", literal), []);
        }
        Assert.False(SafeRelativeName.IsSafe(name));
        Assert.Null(SafeRelativeName.Split(name, out string reason));
        Assert.NotEmpty(reason);
        Assert.Null(folders.Options.Folders().Resolve(ModelFolders.Checkpoints, name));
        Assert.DoesNotContain(name, folders.Options.Folders().List(ModelFolders.Checkpoints));
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("sd15/v1-5.safetensors")]
    [InlineData("sd15\\v1-5.safetensors")]
    [InlineData("name with spaces [v2].safetensors")]
    [InlineData("100%.safetensors")]
    [InlineData("a..b.safetensors")]
    public void OrdinaryNamesPass(string name)
    {
        Assert.True(SafeRelativeName.IsSafe(name));
        Assert.NotNull(SafeRelativeName.Split(name, out _));
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
    public void SymlinkedCheckpointFileAndFolderResolveAndAreListed()
    {
        using var folders = new TestFolders();
        using var otherDisk = new TestFolders();
        string ckpt = Path.Combine(folders.Base, "models", "checkpoints");
        string elsewhere = Path.Combine(otherDisk.Base, "big-disk");
        Directory.CreateDirectory(Path.Combine(elsewhere, "sd15"));
        File.WriteAllBytes(Path.Combine(elsewhere, "linked.safetensors"), []);
        File.WriteAllBytes(Path.Combine(elsewhere, "sd15", "in-linked-folder.gguf"), []);
        File.CreateSymbolicLink(Path.Combine(ckpt, "linked.safetensors"), Path.Combine(elsewhere, "linked.safetensors"));
        Directory.CreateSymbolicLink(Path.Combine(ckpt, "shelf"), Path.Combine(elsewhere, "sd15"));
        File.CreateSymbolicLink(Path.Combine(ckpt, "broken.safetensors"), Path.Combine(elsewhere, "missing.safetensors"));
        var f = folders.Options.Folders();
        Assert.Equal(Path.Combine(ckpt, "linked.safetensors"), f.Resolve(ModelFolders.Checkpoints, "linked.safetensors"));
        Assert.Equal(Path.Combine(ckpt, "shelf", "in-linked-folder.gguf"), f.Resolve(ModelFolders.Checkpoints, "shelf/in-linked-folder.gguf"));
        Assert.Null(f.Resolve(ModelFolders.Checkpoints, "broken.safetensors"));
        Assert.Equal(["linked.safetensors", "model.safetensors", "shelf/in-linked-folder.gguf"], f.List(ModelFolders.Checkpoints));
    }

    [Fact]
    public void SymlinkedCheckpointsFolderIsListed()
    {
        using var folders = new TestFolders();
        using var otherDisk = new TestFolders();
        string ckpt = Path.Combine(folders.Base, "models", "checkpoints");
        Directory.Delete(ckpt, recursive: true);
        string shared = Path.Combine(otherDisk.Base, "models", "checkpoints");
        File.WriteAllBytes(Path.Combine(shared, "shared.safetensors"), []);
        Directory.CreateSymbolicLink(ckpt, shared);
        var f = folders.Options.Folders();
        Assert.Equal(["model.safetensors", "shared.safetensors"], f.List(ModelFolders.Checkpoints));
        Assert.NotNull(f.Resolve(ModelFolders.Checkpoints, "shared.safetensors"));
    }

    [Fact]
    public void ALinkLoopEndsTheWalk()
    {
        using var folders = new TestFolders();
        string ckpt = Path.Combine(folders.Base, "models", "checkpoints");
        Directory.CreateSymbolicLink(Path.Combine(ckpt, "loop"), ckpt);
        var list = folders.Options.Folders().List(ModelFolders.Checkpoints);
        Assert.Equal(["model.safetensors"], list);
    }

    [Fact]
    public void SymlinkedInputImageResolves()
    {
        using var folders = new TestFolders();
        using var otherDisk = new TestFolders();
        File.CreateSymbolicLink(Path.Combine(folders.Input, "linked.png"), Path.Combine(otherDisk.Input, "example.png"));
        var f = folders.Options.Folders();
        Assert.NotNull(Nodes.ImageIoNodes.ResolveImage(f, "linked.png"));
        Assert.Contains("linked.png", f.List(ModelFolders.InputImages));
    }

    [Fact]
    public void SavingFollowsALinkedOutputSubfolderAndLoadImageReadsThroughIt()
    {
        using var folders = new TestFolders();
        using var otherDisk = new TestFolders();
        string target = Path.Combine(otherDisk.Base, "renders");
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Combine(folders.Output, "renders"), target);
        var saved = ImageSaver.Save(ImageLoader.LoadImage(Path.Combine(folders.Input, "example.png")).Image, folders.Output, "renders/cat");
        Assert.Equal("renders", saved[0].Subfolder);
        Assert.True(File.Exists(Path.Combine(target, "cat_00001_.png")));
        Assert.NotNull(Nodes.ImageIoNodes.ResolveImage(folders.Options.Folders(), "renders/cat_00001_.png [output]"));
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
