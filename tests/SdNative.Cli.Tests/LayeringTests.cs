using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SdNative.Cli.Tests.Fidelity;

namespace SdNative.Cli.Tests;

/// <summary>
/// Only SdNative talks to the generated bindings: every other project under src/ (Workflow,
/// Cli, and whatever comes later) sees the managed API's own types. Checked three ways: the
/// compiled assemblies' references, the ProjectReferences of every csproj, and the sources.
/// </summary>
public class LayeringTests
{
    private const string Interop = "SdNative.Interop";

    [Theory]
    [InlineData(typeof(CliApp))]
    [InlineData(typeof(SdNative.Workflow.WorkflowRunner))]
    public void AssembliesAboveTheManagedApiDoNotReferenceTheBindings(Type typeInAssembly)
    {
        var references = typeInAssembly.Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("SdNative", references);
        Assert.DoesNotContain(Interop, references);
    }

    [Fact]
    public void TheManagedApiItselfUsesTheBindings()
    {
        // The check above must look at real references: SdNative does list the bindings.
        Assert.Contains(Interop, typeof(SdnEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void NoProjectUnderSrcButTheManagedApiReferencesTheBindings()
    {
        var offenders = new List<string>();
        var projects = ProjectsAboveTheManagedApi().ToList();
        Assert.Contains(projects, p => Path.GetFileName(p) == "SdNative.Workflow.csproj");
        Assert.Contains(projects, p => Path.GetFileName(p) == "SdNative.Cli.csproj");
        foreach (var csproj in projects)
        {
            var included = XDocument.Load(csproj).Descendants()
                .Where(e => e.Name.LocalName is "ProjectReference" or "Reference")
                .Select(e => (string?)e.Attribute("Include") ?? "");
            offenders.AddRange(included.Where(i => i.Contains(Interop, StringComparison.OrdinalIgnoreCase)).Select(i => $"{Path.GetFileName(csproj)} -> {i}"));
        }
        Assert.Empty(offenders);
    }

    [Fact]
    public void NoSourceAboveTheManagedApiNamesTheBindingsNamespace()
    {
        var mention = new Regex(@"\bSdNative\.Interop\b|\bNativeMethods\b");
        var offenders = ProjectsAboveTheManagedApi()
            .SelectMany(csproj => Directory.EnumerateFiles(Path.GetDirectoryName(csproj)!, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => mention.IsMatch(File.ReadAllText(f)))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void TheBindingsAreStillOnTheRuntimePath()
    {
        // Private to SdNative at compile time, yet shipped beside the CLI so the engine loads.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, Interop + ".dll")));
        Assert.NotNull(Assembly.Load(Interop));
    }

    private static IEnumerable<string> ProjectsAboveTheManagedApi() =>
        Directory.EnumerateFiles(Path.Combine(SharedFolder.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => Path.GetFileNameWithoutExtension(p) is not ("SdNative" or Interop))
            .Order(StringComparer.Ordinal);
}
