using Microsoft.AspNetCore.Builder;

namespace SdNative.Server;

/// <summary>The middleware in front of every route, outermost first.</summary>
public static class ServerMiddleware
{
    public static WebApplication UseServerMiddleware(this WebApplication app)
    {
        app.UseMiddleware<ErrorBarrier>();   // first, so a fault anywhere below reaches no client
        app.UseMiddleware<OriginGuard>();    // before the key: pre-flight requests carry none
        app.UseMiddleware<ApiKeyGuard>();
        return app;
    }
}
