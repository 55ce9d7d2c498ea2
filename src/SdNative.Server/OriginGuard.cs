using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SdNative.Server;

/// <summary>
/// Cross-origin policy, as ComfyUI's server applies it. Without --enable-cors-header, a request
/// whose Host is a loopback name and whose Origin names another host is refused with 403: a web
/// page on another site can't make the browser queue work on this machine. The ports are
/// compared only when both headers carry one. With --enable-cors-header ORIGIN, every answer
/// carries Access-Control-Allow-* headers for that origin and pre-flight OPTIONS requests are
/// answered directly.
/// </summary>
public sealed class OriginGuard(RequestDelegate next, ServerOptions options, ILogger<OriginGuard> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (options.EnableCorsHeader is { Length: > 0 } allowed)
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = allowed;
            headers.AccessControlAllowMethods = "POST, GET, DELETE, PUT, OPTIONS, PATCH";
            headers.AccessControlAllowHeaders = "Content-Type, Authorization";
            headers.AccessControlAllowCredentials = "true";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                return; // the pre-flight answer is the headers alone
            }
        }
        else if (ForeignOrigin(context.Request) is { } mismatch)
        {
            logger.LogWarning("Refused a request whose Origin does not match its loopback Host: {Mismatch}", mismatch);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        await next(context);
    }

    /// <summary>"host != origin" when the request comes from a foreign page to a loopback Host, else null.</summary>
    internal static string? ForeignOrigin(HttpRequest request)
    {
        string host = request.Headers.Host.ToString().ToLowerInvariant();
        string origin = request.Headers.Origin.ToString().ToLowerInvariant();
        int schemeEnd = origin.IndexOf("://", StringComparison.Ordinal);
        if (host.Length == 0 || schemeEnd < 0)
        {
            return null; // no Origin, or one that names no host ("null" from a sandboxed page or a file)
        }
        var (hostName, hostPort) = SplitAuthority(host);
        if (!IsLoopback(hostName))
        {
            return null;
        }
        string originAuthority = origin[(schemeEnd + 3)..].Split('/', '?', '#')[0].Split('@')[^1];
        var (originName, originPort) = SplitAuthority(originAuthority);
        if (hostName.Length == 0 || originName.Length == 0)
        {
            return null;
        }
        // Ports count only when both sides carry one (browsers differ in sending default ports).
        bool comparePorts = hostPort is not null && originPort is not null;
        string hostSide = comparePorts ? $"{hostName}:{hostPort}" : hostName;
        string originSide = comparePorts ? $"{originName}:{originPort}" : originName;
        return hostSide == originSide ? null : $"{hostSide} != {originSide}";
    }

    private static (string Name, string? Port) SplitAuthority(string authority)
    {
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            string name = close > 0 ? authority[1..close] : authority;
            string? port = close > 0 && close + 1 < authority.Length && authority[close + 1] == ':' ? authority[(close + 2)..] : null;
            return (name, port);
        }
        int colon = authority.LastIndexOf(':');
        return colon >= 0 ? (authority[..colon], authority[(colon + 1)..]) : (authority, null);
    }

    /// <summary>A loopback address, or a name that means this machine ("localhost", "*.localhost").</summary>
    private static bool IsLoopback(string name) =>
        IPAddress.TryParse(name, out var ip) ? IPAddress.IsLoopback(ip)
            : name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal);
}
