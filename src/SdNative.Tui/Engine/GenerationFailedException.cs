using System.Text.Json.Nodes;

namespace SdNative.Tui.Engine;

/// <summary>A generation that did not run or did not finish; ErrorBody is ComfyUI's
/// {"error", "node_errors"} body when the prompt failed validation.</summary>
public sealed class GenerationFailedException(string message, JsonObject? errorBody = null, Exception? inner = null) : Exception(message, inner)
{
    public JsonObject? ErrorBody { get; } = errorBody;
}
