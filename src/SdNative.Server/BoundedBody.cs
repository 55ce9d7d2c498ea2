using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SdNative.Server;

/// <summary>A request body read whole, or the 413 to answer when it is larger than allowed.</summary>
public readonly record struct BodyBytes(byte[]? Data, IResult? Error);

/// <summary>
/// Reads a whole request body, refusing it as soon as it passes a byte limit: a declared
/// Content-Length over the limit is refused before anything is read, and a chunked body is
/// counted as it arrives, so an oversized body never sits in memory.
/// </summary>
public static class BoundedBody
{
    public static async Task<BodyBytes> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength > maxBytes)
        {
            return new BodyBytes(null, TooLarge(maxBytes));
        }
        AllowServerLimit(request.HttpContext, maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return new BodyBytes(null, TooLarge(maxBytes));
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new BodyBytes(null, TooLarge(maxBytes));
        }
        return new BodyBytes(buffer.ToArray(), null);
    }

    public static IResult TooLarge(long maxBytes) => ApiErrors.Json(StatusCodes.Status413PayloadTooLarge, "body_too_large",
        $"The request body is larger than the limit of {maxBytes} bytes");

    /// <summary>Lets this request's body reach <paramref name="maxBytes"/> even where Kestrel's
    /// server-wide default (30 MB) is lower; our own count enforces the limit.</summary>
    public static void AllowServerLimit(HttpContext context, long maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature &&
            feature.MaxRequestBodySize is { } current && current < maxBytes)
        {
            feature.MaxRequestBodySize = maxBytes;
        }
    }
}
