using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SdNative.Server;

/// <summary>
/// The body every refusal of ours carries: ComfyUI's error object
/// (<c>{"error": {"type", "message", "details", "extra_info"}}</c>), so a client that shows
/// <c>error.message</c> for a refused prompt shows ours too.
/// </summary>
public static class ApiErrors
{
    public static IResult Json(int statusCode, string type, string message, string details = "") =>
        Results.Json(Body(type, message, details), statusCode: statusCode);

    public static JsonObject Body(string type, string message, string details = "") => new()
    {
        ["error"] = new JsonObject
        {
            ["type"] = type,
            ["message"] = message,
            ["details"] = details,
            ["extra_info"] = new JsonObject(),
        },
    };
}
