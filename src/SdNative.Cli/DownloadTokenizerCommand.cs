using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`sdnative download-tokenizer`: CLIP ViT-L/14's vocab.json and merges.txt into &lt;models&gt;/tokenizers/.</summary>
public static class DownloadTokenizerCommand
{
    public const string DefaultBaseUrl = "https://huggingface.co/openai/clip-vit-large-patch14/resolve/main/";
    public static readonly string[] Files = ["vocab.json", "merges.txt"];

    public static Command Create(CliConsole console)
    {
        var models = new Option<string?>("--models") { Description = "The models folder (default <base>/models)." };
        var baseUrl = new Option<string>("--base-url") { Description = "Where the files are served.", DefaultValueFactory = _ => DefaultBaseUrl };
        var command = new Command("download-tokenizer", "Download the CLIP tokenizer (vocab.json, merges.txt) into <models>/tokenizers/.") { models, baseUrl };
        command.SetAction((parse, token) => CliApp.Guard(console, async () =>
        {
            var folder = Path.Combine(CliPaths.Resolve(null, parse.GetValue(models), null, null).Models, "tokenizers");
            await DownloadAsync(parse.GetValue(baseUrl)!, folder, console, token);
            return ExitCodes.Success;
        }, token));
        return command;
    }

    /// <summary>Downloads each file to a temporary name and renames it when complete, so an
    /// interrupted download never leaves a truncated tokenizer behind.</summary>
    public static async Task DownloadAsync(string baseUrl, string folder, CliConsole console, CancellationToken token)
    {
        if (!Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var root) || (root.Scheme != "https" && root.Scheme != "http"))
        {
            throw new UserError($"not an http(s) URL: {baseUrl}");
        }
        Directory.CreateDirectory(folder);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("sdnative/" + typeof(DownloadTokenizerCommand).Assembly.GetName().Version);
        foreach (var file in Files)
        {
            var url = new Uri(root, file);
            string target = Path.Combine(folder, file);
            string partial = target + ".partial";
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new UserError($"download of {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", ExitCodes.Failure);
                }
                await using (var source = await response.Content.ReadAsStreamAsync(token))
                await using (var destination = File.Create(partial))
                {
                    await source.CopyToAsync(destination, token);
                }
                File.Move(partial, target, overwrite: true);
                console.Out.WriteLine($"wrote {target} ({new FileInfo(target).Length} bytes)");
            }
            finally
            {
                if (File.Exists(partial))
                {
                    File.Delete(partial);
                }
            }
        }
    }
}
