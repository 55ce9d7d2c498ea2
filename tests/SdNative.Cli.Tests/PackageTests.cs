using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SdNative.Cli.Tests.Fidelity;
using SdNative.Imaging;

namespace SdNative.Cli.Tests;

/// <summary>
/// The NuGet packages as a stranger gets them: scripts/pack.sh into a temporary feed, the tool
/// installed from it, and a fresh console project outside the repository that adds SdNative and
/// the runtime package and runs the README's embedding example on a tiny model.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.Feed>
{
    private static readonly string[] Packages = ["SdNative", "SdNative.Workflow", "SdNative.Runtime.linux-x64", "SdNative.Cli"];
    private readonly Feed _feed;

    public PackageTests(Feed feed) => _feed = feed;

    [Fact]
    public void TheRuntimePackageCarriesTheLibraryInNuGetsRuntimeLayout()
    {
        var entries = _feed.Entries("SdNative.Runtime.linux-x64");
        Assert.Contains("runtimes/linux-x64/native/libsdnative.so", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSdNativePackageCarriesTheInteropAssemblyAndItsDocs()
    {
        var entries = _feed.Entries("SdNative");
        Assert.Contains("lib/net10.0/SdNative.dll", entries);
        Assert.Contains("lib/net10.0/SdNative.Interop.dll", entries);
        Assert.Contains("lib/net10.0/SdNative.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain("SdNative.Interop", _feed.Nuspec("SdNative").ToString());
    }

    [Fact]
    public void TheToolPackageCarriesTheNativeLibraryBesideTheCli()
    {
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libsdnative.so", _feed.Entries("SdNative.Cli"));
    }

    [Fact]
    public void NoPackageCarriesWeightsVocabulariesOrTestAssets()
    {
        var forbidden = new Regex(@"\.(safetensors|gguf|ckpt|pt|bin|gz)$|vocab|merges\.txt|tokenizer|[Tt]ests?[./]|xunit", RegexOptions.IgnoreCase);
        foreach (var package in Packages)
        {
            var bad = _feed.Entries(package).Where(e => forbidden.IsMatch(e)).ToList();
            Assert.True(bad.Count == 0, $"{package} carries: {string.Join(", ", bad)}");
        }
    }

    [Fact]
    public void PackingAgainGivesTheSameEntriesByteForByte()
    {
        // The zip itself differs (each entry carries the time it was packed); what is in it must not.
        string again = Path.Combine(_feed.Root, "again");
        var (code, output) = Feed.Run("dotnet", SharedFolder.RepoRoot, "pack", Path.Combine("src", "SdNative.Workflow", "SdNative.Workflow.csproj"),
            "-c", "Release", "--no-build", "-o", again, "--nologo", "-v", "quiet");
        Assert.True(code == 0, output);
        string name = $"SdNative.Workflow.{_feed.Version}.nupkg";
        using var first = ZipFile.OpenRead(Path.Combine(_feed.Packages, name));
        using var second = ZipFile.OpenRead(Path.Combine(again, name));
        Assert.Equal(first.Entries.Select(e => e.FullName), second.Entries.Select(e => e.FullName));
        foreach (var entry in first.Entries)
        {
            Assert.True(Bytes(entry).SequenceEqual(Bytes(second.GetEntry(entry.FullName)!)), $"{entry.FullName} differs between two packs");
        }
    }

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void EveryPackageStatesTheLicenceExpressionAndVersionFromOnePlace()
    {
        var props = XDocument.Load(Path.Combine(SharedFolder.RepoRoot, "Directory.Build.props"));
        var licence = props.Descendants("SdNativeLicenseExpression").Single().Value;
        foreach (var package in Packages)
        {
            var nuspec = _feed.Nuspec(package);
            var element = nuspec.Descendants().Single(e => e.Name.LocalName == "license");
            Assert.Equal("expression", element.Attribute("type")?.Value);
            Assert.Equal(licence, element.Value);
            Assert.Equal(_feed.Version, nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value);
        }
    }

    [Fact]
    public void TheInstalledToolReportsTheSystem()
    {
        var (code, output) = Feed.Run(_feed.ToolPath("sdnative"), _feed.Root, "system");
        Assert.True(code == 0, output);
        Assert.Contains("libsdnative ", output);
        Assert.Contains("kernels:", output);
    }

    [SkippableFact]
    public void TheReadmeExampleRunsInAFreshProjectFromThePackagesAlone()
    {
        SharedFolder.Require();
        var app = Path.Combine(_feed.Root, "app");
        _feed.Dotnet(_feed.Root, "new", "console", "-o", app, "--framework", "net10.0", "--no-restore");
        File.WriteAllText(Path.Combine(app, "nuget.config"),
            $"<configuration><packageSources><add key=\"sdnative-test-feed\" value=\"{_feed.Packages}\" /></packageSources></configuration>");
        _feed.Dotnet(app, "add", "package", "SdNative", "--version", _feed.Version);
        _feed.Dotnet(app, "add", "package", "SdNative.Runtime.linux-x64", "--version", _feed.Version);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeExample());
        File.WriteAllText(Path.Combine(app, "Usings.cs"), "global using SdNative;\nglobal using SdNative.Imaging;\n");
        _feed.Dotnet(app, "build", "-c", "Release", "--nologo");

        // The paths the README's example names, relative to where it runs.
        MakeTinyModel(app);
        Directory.CreateDirectory(Path.Combine(app, "input"));
        ImageSaver.WriteExampleImage(Path.Combine(app, "input", "photo.png"), 64);

        var (code, output) = Feed.Run("dotnet", app, Path.Combine(app, "bin", "Release", "net10.0", "app.dll"));
        Assert.True(code == 0, output);
        AssertPng(Path.Combine(app, "output", "img2img_00001_.png"), 64, 64);
    }

    [SkippableFact]
    public void TheInstalledToolRunsAWorkflow()
    {
        var baseDir = Path.Combine(_feed.Root, "tool-run");
        MakeTinyModel(baseDir);
        var workflow = Path.Combine(SharedFolder.RepoRoot, "examples", "txt2img.json");
        var (code, output) = Feed.Run(_feed.ToolPath("sdnative"), baseDir, "run", workflow, "--base", baseDir,
            "--set", "empty_latent.width=64", "--set", "empty_latent.height=64", "--set", "sampler.steps=2");
        Assert.True(code == 0, output);
        AssertPng(Path.Combine(baseDir, "output", "txt2img_00001_.png"), 64, 64);
    }

    /// <summary>A tiny random checkpoint under the name the README and examples use, made by the
    /// installed tool, with the CLIP vocabulary beside it.</summary>
    private void MakeTinyModel(string baseDir)
    {
        var vocabulary = Path.Combine(SharedFolder.Require(), "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
        var model = Path.Combine(baseDir, "models", "checkpoints", "v1-5-pruned-emaonly.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        File.Copy(vocabulary, Path.Combine(Path.GetDirectoryName(model)!, Path.GetFileName(vocabulary)));
        var (code, output) = Feed.Run(_feed.ToolPath("sdnative"), baseDir, "make-test-model", "--out", model);
        Assert.True(code == 0, output);
    }

    /// <summary>A PNG file (signature and IHDR first) of the given size.</summary>
    private static void AssertPng(string path, int width, int height)
    {
        var png = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    /// <summary>The README's ```csharp block, as written.</summary>
    private static string ReadmeExample()
    {
        var readme = File.ReadAllText(Path.Combine(SharedFolder.RepoRoot, "README.md"));
        var match = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "README.md has no ```csharp block");
        return match.Groups[1].Value;
    }

    /// <summary>One packed feed and one tool install per test run, in a temporary folder with
    /// its own NuGet package cache (so a stale package of the same version is never used).</summary>
    public sealed class Feed : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("sdn-packages-").FullName;
        public string Packages => Path.Combine(Root, "feed");
        public string Version { get; } = XDocument.Load(Path.Combine(SharedFolder.RepoRoot, "Directory.Build.props"))
            .Descendants("Version").Single().Value;
        private string Cache => Path.Combine(Root, "nuget-cache");
        private string Tools => Path.Combine(Root, "tools");

        public Feed()
        {
            var (code, output) = Run(Path.Combine(SharedFolder.RepoRoot, "scripts", "pack.sh"), SharedFolder.RepoRoot, "--no-build", Packages);
            Assert.True(code == 0, output);
            Dotnet(Root, "tool", "install", "SdNative.Cli", "--version", Version, "--tool-path", Tools, "--add-source", Packages);
        }

        public string ToolPath(string command) => Path.Combine(Tools, command);

        public IReadOnlyList<string> Entries(string package)
        {
            using var zip = ZipFile.OpenRead(Path.Combine(Packages, $"{package}.{Version}.nupkg"));
            return zip.Entries.Select(e => e.FullName).ToList();
        }

        public XDocument Nuspec(string package)
        {
            using var zip = ZipFile.OpenRead(Path.Combine(Packages, $"{package}.{Version}.nupkg"));
            using var stream = zip.GetEntry($"{package}.nuspec")!.Open();
            return XDocument.Load(stream);
        }

        /// <summary>dotnet with this feed's package cache; fails the test with the output on a non-zero exit.</summary>
        public void Dotnet(string workingDirectory, params string[] args)
        {
            var (code, output) = Run("dotnet", workingDirectory, args, ("NUGET_PACKAGES", Cache));
            Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited {code}:\n{output}");
        }

        public static (int Code, string Output) Run(string file, string workingDirectory, params string[] args) =>
            Run(file, workingDirectory, args, ("NUGET_PACKAGES", null));

        private static (int Code, string Output) Run(string file, string workingDirectory, string[] args, (string Name, string? Value) extra)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(file)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }
            // Nothing may find the library except through the packages' own layout.
            psi.Environment.Remove("SDN_NATIVE_LIBRARY");
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            if (extra.Value is not null)
            {
                psi.Environment[extra.Name] = extra.Value;
            }
            using var process = System.Diagnostics.Process.Start(psi)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{file} timed out\n{stdout}{stderr.Result}");
            }
            return (process.ExitCode, stdout + stderr.Result);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
