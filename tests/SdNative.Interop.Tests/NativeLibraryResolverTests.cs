using SdNative.Interop;

namespace SdNative.Interop.Tests;

public class NativeLibraryResolverTests
{
    [Fact]
    public void MissingLibraryListsEveryPathTried()
    {
        var dir = Directory.CreateTempSubdirectory("sdn-resolver-");
        try
        {
            var candidates = NativeLibraryResolver.CandidatePaths(dir.FullName, Path.Combine(dir.FullName, "override", "libsdnative.so"));
            var e = Assert.Throws<NativeLibraryNotFoundException>(() => NativeLibraryResolver.Load(candidates));
            foreach (var path in candidates)
            {
                Assert.Contains(path, e.Message);
            }
            Assert.Contains(Path.Combine(dir.FullName, "runtimes", "linux-x64", "native", "libsdnative.so"), e.Message);
            Assert.Contains("not found", e.Message);
            Assert.Equal(candidates.Count, e.Attempts.Count);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void AFileThatIsNotALibraryReportsTheLoadersError()
    {
        var dir = Directory.CreateTempSubdirectory("sdn-resolver-");
        try
        {
            var bogus = Path.Combine(dir.FullName, "libsdnative.so");
            File.WriteAllText(bogus, "this is not an ELF file");
            var e = Assert.Throws<NativeLibraryNotFoundException>(() => NativeLibraryResolver.Load(new[] { bogus }));
            Assert.Contains("exists but failed to load", e.Message);
            // The dynamic loader's own words (glibc: "invalid ELF header" / "file too short").
            Assert.Matches("ELF|too short", e.Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void TheBuiltLibraryIsFoundBesideTheTestAssembly()
    {
        var candidates = NativeLibraryResolver.CandidatePaths(AppContext.BaseDirectory, null);
        Assert.Contains(candidates, p => p.Contains(Path.Combine("runtimes", "linux-x64", "native")));
        Assert.True(File.Exists(candidates[0]), "the .NET build copies libsdnative.so into runtimes/linux-x64/native/");
        Assert.NotEqual(0, NativeLibraryResolver.Load(candidates));
    }
}
