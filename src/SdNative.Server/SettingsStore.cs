using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// The front end's settings: one JSON object in user/default/comfy.settings.json (ComfyUI's file).
/// Reads and writes are serialised, and a write goes to a temporary file that then replaces the
/// old one, so a crash never leaves half a settings file.
/// </summary>
public sealed class SettingsStore(ServerFolders folders)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    private string FilePath => Path.Combine(folders.User, "comfy.settings.json");

    public async Task<JsonObject> ReadAsync()
    {
        await gate.WaitAsync();
        try
        {
            return Load();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/> to the stored settings and saves them.</summary>
    public async Task UpdateAsync(Action<JsonObject> change)
    {
        await gate.WaitAsync();
        try
        {
            var settings = Load();
            change(settings);
            Directory.CreateDirectory(folders.User);
            string temporary = FilePath + ".tmp";
            await File.WriteAllTextAsync(temporary, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temporary, FilePath, overwrite: true);
        }
        finally
        {
            gate.Release();
        }
    }

    // A missing or unreadable file is no settings (ComfyUI starts from {} too).
    private JsonObject Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(FilePath)) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
