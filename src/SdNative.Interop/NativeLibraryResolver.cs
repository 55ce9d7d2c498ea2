using System.Reflection;
using System.Runtime.InteropServices;

namespace SdNative.Interop;

/// <summary>
/// Finds libsdnative for the generated P/Invoke declarations. It looks, in order, at
/// $SDN_NATIVE_LIBRARY, runtimes/linux-x64/native/ and the folder beside this assembly, and
/// build/ of the source tree this assembly was built from (walking up from the assembly).
/// When nothing loads, the exception lists every path tried and the loader's own error.
/// </summary>
public static class NativeLibraryResolver
{
    public const string FileName = "libsdnative.so";
    private static int _registered;

    /// <summary>Installs the resolver for this assembly; safe to call more than once.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName)
        {
            return 0;
        }
        return Load(CandidatePaths(AppContext.BaseDirectory, Environment.GetEnvironmentVariable("SDN_NATIVE_LIBRARY")));
    }

    /// <summary>The places searched, in order, for a program whose files are in baseDirectory.</summary>
    public static IReadOnlyList<string> CandidatePaths(string baseDirectory, string? overridePath)
    {
        var paths = new List<string>();
        if (!string.IsNullOrEmpty(overridePath))
        {
            paths.Add(Path.GetFullPath(overridePath));
        }
        paths.Add(Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", FileName));
        paths.Add(Path.Combine(baseDirectory, FileName));
        var dir = new DirectoryInfo(baseDirectory);
        while (dir != null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CMakeLists.txt")) &&
                Directory.Exists(Path.Combine(dir.FullName, "native")))
            {
                paths.Add(Path.Combine(dir.FullName, "build", FileName));
                break;
            }
            dir = dir.Parent;
        }
        return paths;
    }

    /// <summary>Loads the first candidate that exists and loads; otherwise throws with every reason.</summary>
    public static nint Load(IEnumerable<string> candidates)
    {
        var tried = new List<string>();
        foreach (var path in candidates)
        {
            if (!File.Exists(path))
            {
                tried.Add($"  {path}: not found");
                continue;
            }
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                tried.Add($"  {path}: exists but failed to load: {e.Message}");
            }
        }
        throw new NativeLibraryNotFoundException(
            $"Could not load {FileName}. Paths tried:{Environment.NewLine}{string.Join(Environment.NewLine, tried)}{Environment.NewLine}" +
            "Build it with 'cmake -S . -B build && cmake --build build' or set SDN_NATIVE_LIBRARY to its path.",
            tried);
    }
}
