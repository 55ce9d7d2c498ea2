using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SdNative.Server;

/// <summary>A request body read as JSON: the value, or the refusal to answer with.</summary>
/// <param name="Value">The parsed body; null for an empty body when that was allowed.</param>
/// <param name="Error">Set when the body was refused; answer with it as it is.</param>
public readonly record struct JsonBody(JsonNode? Value, IResult? Error);

/// <summary>
/// Reads JSON request bodies within bounds, for every route that takes one. Like ComfyUI's
/// <c>request.json()</c> it ignores Content-Type (the Python examples post JSON as
/// form-urlencoded). Unlike ComfyUI, which answers a bad body with a 500, a body over the size
/// limit is 413, and malformed JSON, nesting deeper than <see cref="MaxDepth"/> or a repeated
/// property name is 400, each with a message naming the problem.
/// </summary>
public static class JsonBodies
{
    /// <summary>Deepest nesting accepted; API-format prompts and UI workflows stay far below it.</summary>
    public const int MaxDepth = 64;

    /// <summary>The body under the server's configured JSON size limit (<see cref="ServerOptions.MaxJsonBytes"/>).</summary>
    public static Task<JsonBody> ReadAsync(HttpContext context, bool allowEmpty = false) =>
        ReadAsync(context.Request, context.RequestServices.GetRequiredService<ServerOptions>().MaxJsonBytes, allowEmpty, context.RequestAborted);

    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes, bool allowEmpty, CancellationToken cancellation)
    {
        var bytes = await BoundedBody.ReadAsync(request, maxBytes, cancellation);
        if (bytes.Error is { } tooLarge)
        {
            return new JsonBody(null, tooLarge);
        }
        var data = bytes.Data!;
        if (data.Length == 0 || data.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return allowEmpty
                ? new JsonBody(null, null)
                : new JsonBody(null, ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_json", "The request body is empty; a JSON value was expected"));
        }
        if (Problem(data) is { } problem)
        {
            return new JsonBody(null, ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_json", problem));
        }
        try
        {
            var options = new JsonDocumentOptions { MaxDepth = MaxDepth + 1, AllowDuplicateProperties = false };
            return new JsonBody(JsonNode.Parse(data, documentOptions: options), null);
        }
        catch (JsonException e)
        {
            return new JsonBody(null, ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_json", $"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>Why the bytes are refused (malformed, or nested too deep), or null. The reader is
    /// iterative, so a hostile depth costs no stack; the depth is judged here so the message can
    /// say which limit was hit.</summary>
    private static string? Problem(byte[] data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxDepth)
                {
                    return $"The request body's JSON is nested deeper than {MaxDepth} levels";
                }
            }
            return null;
        }
        catch (JsonException e)
        {
            return $"The request body is not valid JSON: {e.Message}";
        }
    }
}
