using System.Runtime.InteropServices;
using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>Which C functions the built library exports: tests of parts other engineers are
/// still writing skip (with the reason) until the function exists.</summary>
internal static class NativeExports
{
    private static readonly Lazy<nint> Library = new(() =>
    {
        SdnLibrary.EnsureLoaded();
        return NativeLibraryResolver.Load(NativeLibraryResolver.CandidatePaths(AppContext.BaseDirectory, Environment.GetEnvironmentVariable("SDN_NATIVE_LIBRARY")));
    });

    public static bool Has(string name) => NativeLibrary.TryGetExport(Library.Value, name, out _);

    public static void SkipUnlessAll(params string[] names)
    {
        var missing = names.Where(n => !Has(n)).ToArray();
        Skip.If(missing.Length > 0, $"libsdnative does not export {string.Join(", ", missing)} yet");
    }
}
