using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SdNative.Tests;

/// <summary>
/// THIRD_PARTY.md must name every package the build restores and every library the native build
/// links, each with a licence, so that adding a dependency without recording it fails here.
/// </summary>
public class ThirdPartyNoticeTests
{
    private static readonly string[] LicenceWords = ["MIT", "Apache-2.0", "BSD-3-Clause", "MS-PL", "Zlib", "GPL-3.0"];

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SdNative.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        return dir!.FullName;
    }

    private static string[] NoticeLines() => File.ReadAllLines(Path.Combine(RepoRoot(), "THIRD_PARTY.md"));

    /// <summary>A table row of the notice that names <paramref name="name"/> and a licence.</summary>
    private static void AssertListedWithLicence(string name, string[] lines)
    {
        var rows = lines.Where(l => l.StartsWith('|') && l.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count > 0, $"THIRD_PARTY.md does not name {name}");
        Assert.True(rows.Any(r => LicenceWords.Any(w => r.Contains(w, StringComparison.Ordinal))),
            $"THIRD_PARTY.md names {name} without a licence");
    }

    [Fact]
    public void EveryNuGetPackageIsListedWithItsLicence()
    {
        var props = XDocument.Load(Path.Combine(RepoRoot(), "Directory.Packages.props"));
        var packages = props.Descendants("PackageVersion").Select(e => (string)e.Attribute("Include")!).ToList();
        Assert.NotEmpty(packages);
        var lines = NoticeLines();
        foreach (var package in packages)
        {
            AssertListedWithLicence(package, lines);
        }
    }

    [Fact]
    public void EveryNativeLibraryFoundByCMakeIsListedWithItsLicence()
    {
        // find_package(X ...) in any CMakeLists.txt of the tree; Threads is the C library itself.
        var root = RepoRoot();
        var names = Directory.EnumerateFiles(root, "CMakeLists.txt", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}build", StringComparison.Ordinal))
            .SelectMany(p => Regex.Matches(File.ReadAllText(p), @"find_package\((\w+)").Select(m => m.Groups[1].Value))
            .Where(n => n != "Threads")
            .Distinct()
            .ToList();
        Assert.Contains("ZLIB", names);
        var lines = NoticeLines();
        var aliases = new Dictionary<string, string> { ["GTest"] = "GoogleTest", ["benchmark"] = "Google Benchmark", ["ZLIB"] = "zlib" };
        foreach (var name in names)
        {
            AssertListedWithLicence(aliases.GetValueOrDefault(name, name), lines);
        }
    }
}
