using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SdNative.Server;

/// <summary>Reads a request body as JSON whatever its Content-Type, as aiohttp's request.json() does.</summary>
public static class RequestJson
{
    /// <summary>The body's text and its JSON, or the parser's complaint. An empty body is null JSON, no error.</summary>
    public static async Task<(string Text, JsonNode? Json, string? Error)> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        string text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (text, null, null);
        }
        try
        {
            return (text, JsonNode.Parse(text), null);
        }
        catch (JsonException e)
        {
            return (text, null, $"the request body is not JSON: {e.Message}");
        }
    }

    /// <summary>A JSON array of strings (e.g. "delete": [ids]); other elements are skipped.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : v.ToJsonString()).ToList() : [];

    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
