using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SdNative.Server;

/// <summary>
/// The outermost middleware: an exception no route handled is logged with its stack trace and
/// answered with a 500 that says only that the server failed, so no stack trace, path or
/// message from inside the server ever reaches a client. A request Kestrel judged bad (a body over
/// its size limit) keeps its 4xx status.
/// </summary>
public sealed class ErrorBarrier(RequestDelegate next, ILogger<ErrorBarrier> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // The request itself was bad (a body over Kestrel's limit, a malformed form): its 4xx, not a 500.
            logger.LogInformation("{Method} {Path} refused: {Reason}", context.Request.Method, context.Request.Path, e.Message);
            context.Response.Clear();
            await ApiErrors.Json(e.StatusCode, "bad_request", e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this server accepts" : "The request is malformed").ExecuteAsync(context);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            if (context.Response.HasStarted)
            {
                context.Abort(); // part of a body is out: cut it off rather than end it as if complete
                return;
            }
            context.Response.Clear();
            await ApiErrors.Json(StatusCodes.Status500InternalServerError, "server_error",
                "The server failed to handle this request; the server log has the details").ExecuteAsync(context);
        }
    }
}
