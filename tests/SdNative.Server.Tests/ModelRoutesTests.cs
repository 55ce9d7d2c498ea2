using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

public class ModelRoutesTests
{
    private static void Touch(TestFolders folders, params string[] path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folders.At(path))!);
        File.WriteAllBytes(folders.At(path), [0]);
    }

    /// <summary>A safetensors file: 8-byte little-endian header length, then the JSON header.</summary>
    private static void Safetensors(TestFolders folders, string header, params string[] path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folders.At(path))!);
        byte[] json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(folders.At(path), [.. BitConverter.GetBytes((ulong)json.Length), .. json]);
    }

    [Theory]
    [InlineData("/models")]
    [InlineData("/api/models")]
    public async Task TheFolderKeysAreComfyUis(string path)
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        // folder_paths.py's keys, in its order; the legacy clip and unet are not keys.
        Assert.Equal("""["checkpoints","configs","loras","vae","text_encoders","diffusion_models","clip_vision","style_models","embeddings","diffusers","vae_approx","controlnet","gligen","upscale_models","latent_upscale_models","custom_nodes","hypernetworks","photomaker","classifiers","model_patches","audio_encoders"]""",
            await client.GetStringAsync(path));
    }

    [Fact]
    public async Task AFolderListsItsModelFilesWithSlashes()
    {
        using var folders = new TestFolders();
        Touch(folders, "models", "checkpoints", "sd15.safetensors");
        Touch(folders, "models", "checkpoints", "sub", "b.ckpt");
        Touch(folders, "models", "checkpoints", "notes.txt");
        Touch(folders, "models", "clip", "legacy.safetensors");
        Touch(folders, "models", "text_encoders", "t5.gguf");
        Touch(folders, "models", "loras", "style", "ink.safetensors");
        Touch(folders, "models", "loras", "readme.md");
        Touch(folders, "models", "configs", "v1.yaml");
        Touch(folders, "models", "configs", "v1.safetensors");
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        Assert.Equal("""["sd15.safetensors","sub/b.ckpt"]""", await client.GetStringAsync("/models/checkpoints"));
        Assert.Equal("""["legacy.safetensors","t5.gguf"]""", await client.GetStringAsync("/models/text_encoders"));
        Assert.Equal("""["style/ink.safetensors"]""", await client.GetStringAsync("/api/models/loras"));
        Assert.Equal("""["v1.yaml"]""", await client.GetStringAsync("/models/configs"));
        Assert.Equal("[]", await client.GetStringAsync("/models/vae_approx")); // a key whose folder does not exist
    }

    [Theory]
    [InlineData("/models/clip")]
    [InlineData("/models/unet")]
    [InlineData("/models/nope")]
    [InlineData("/models/..")]
    [InlineData("/models/%2e%2e")]
    public async Task AnUnknownFolderIs404(string path)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task ViewMetadataGivesASafetensorsFilesMetadata()
    {
        using var folders = new TestFolders();
        Safetensors(folders, """{"__metadata__": {"ss_network_dim": "4", "modelspec.title": "Ink"}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""",
            "models", "loras", "style", "ink.safetensors");
        Safetensors(folders, """{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", "models", "checkpoints", "bare.safetensors");
        Directory.CreateDirectory(folders.At("models", "vae"));
        File.WriteAllBytes(folders.At("models", "vae", "huge.safetensors"), BitConverter.GetBytes(2UL * 1024 * 1024));
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var metadata = JsonNode.Parse(await client.GetStringAsync("/view_metadata/loras?filename=style/ink.safetensors"))!;
        Assert.Equal("""{"ss_network_dim":"4","modelspec.title":"Ink"}""", metadata.ToJsonString());
        foreach (var missing in new[]
        {
            "/view_metadata/checkpoints?filename=bare.safetensors",   // no __metadata__
            "/view_metadata/vae?filename=huge.safetensors",            // header over 1 MiB
            "/view_metadata/loras?filename=style/ink.ckpt",            // not .safetensors
            "/view_metadata/loras",                                    // no filename
            "/view_metadata/nope?filename=style/ink.safetensors",      // unknown folder
            "/view_metadata/loras?filename=../loras/style/ink.safetensors",
            "/view_metadata/loras?filename=%2Fetc%2Fink.safetensors",
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(missing)).StatusCode);
        }
    }
}
