using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SdNative.Server;

/// <summary>
/// With --api-key set, every request (HTTP routes, static front-end files and the /ws upgrade
/// alike) must carry the key, as <c>Authorization: Bearer KEY</c> or <c>?token=KEY</c> (for
/// clients that can't set headers on a WebSocket). Keys are compared through their SHA-256
/// digests with a fixed-time comparison, so neither the key's content nor its length can be
/// learned from response times. A missing or wrong key is 401. Without --api-key, nothing is
/// checked (the default, loopback-only server).
/// </summary>
public sealed class ApiKeyGuard(RequestDelegate next, ServerOptions options)
{
    private readonly byte[]? expectedDigest = options.ApiKey is { Length: > 0 } key ? Digest(key) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (expectedDigest is null || Matches(PresentedKey(context.Request)))
        {
            await next(context);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await ApiErrors.Json(StatusCodes.Status401Unauthorized, "unauthorized",
            "This server needs its API key: send 'Authorization: Bearer KEY' or '?token=KEY'").ExecuteAsync(context);
    }

    private static string? PresentedKey(HttpRequest request)
    {
        const string bearer = "Bearer ";
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return authorization[bearer.Length..].Trim();
        }
        return request.Query.TryGetValue("token", out var token) ? token.ToString() : null;
    }

    private bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Digest(presented), expectedDigest);

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
