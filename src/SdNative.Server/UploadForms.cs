using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SdNative.Server;

/// <summary>
/// Reads an upload's multipart form within the upload limit (ComfyUI's --max-upload-size): a
/// declared length or a body over it is 413 before the rest is read, a malformed form 400.
/// </summary>
public static class UploadForms
{
    /// <summary>Room for the multipart boundaries and the small text fields beside the file.</summary>
    private const long FormOverhead = 1024 * 1024;

    public static async Task<IFormCollection> ReadAsync(HttpContext context, long maxFileBytes)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            throw RequestRefusedException.BadRequest("invalid_form", "Uploads are multipart/form-data with the file in the 'image' field");
        }
        long maxBody = maxFileBytes + FormOverhead;
        if (request.ContentLength > maxBody)
        {
            throw TooLarge(maxFileBytes);
        }
        BoundedBody.AllowServerLimit(context, maxBody);
        var formOptions = new FormOptions
        {
            MultipartBodyLengthLimit = maxBody,
            ValueLengthLimit = 64 * 1024,
            ValueCountLimit = 64,
            MultipartHeadersLengthLimit = 16 * 1024,
        };
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(formOptions, context.RequestAborted);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxFileBytes);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxFileBytes);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            throw RequestRefusedException.BadRequest("invalid_form", $"The multipart form can't be read: {e.Message}");
        }
        if (form.Files.GetFile("image") is { } file && file.Length > maxFileBytes)
        {
            throw TooLarge(maxFileBytes);
        }
        return form;
    }

    private static RequestRefusedException TooLarge(long maxFileBytes) => new(StatusCodes.Status413PayloadTooLarge, "upload_too_large",
        $"The upload is larger than the limit of {maxFileBytes} bytes (--max-upload-size)");
}
