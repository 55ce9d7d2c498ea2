using System.Runtime.CompilerServices;

namespace SdNative.Interop;

/// <summary>Registers the resolver before any P/Invoke of this assembly runs.</summary>
internal static class NativeLibraryBootstrap
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before any import
    [ModuleInitializer]
    internal static void Initialize() => NativeLibraryResolver.Register();
#pragma warning restore CA2255
}
