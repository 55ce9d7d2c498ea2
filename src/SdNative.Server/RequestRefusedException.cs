using Microsoft.AspNetCore.Http;

namespace SdNative.Server;

/// <summary>A request refused deep inside a handler; the route answers it with <see cref="Result"/>
/// (never the 500 of an unexpected fault).</summary>
public sealed class RequestRefusedException(int statusCode, string type, string message) : Exception(message)
{
    public IResult Result => ApiErrors.Json(statusCode, type, Message);

    public static RequestRefusedException BadRequest(string type, string message) => new(StatusCodes.Status400BadRequest, type, message);
}
