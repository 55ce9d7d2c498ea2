using System.Reflection;
using System.Runtime.InteropServices;
using SdNative.Interop.Tests.Support;

namespace SdNative.Interop.Tests;

/// <summary>The generated code covers the header, has not drifted, and lays structs out as C does.</summary>
public class GeneratedBindingsTests
{
    private const string Python = "/usr/bin/python3";

    private static List<(string Kind, string Name)> HeaderDeclarations()
    {
        var (code, stdout, stderr) = ProcessRunner.Run(Python, RepoPaths.GeneratorScript, "--list");
        Assert.True(code == 0, "generate-bindings --list failed: " + stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Select(p => (p[0], p[1].Trim()))
            .ToList();
    }

    [Fact]
    public void EveryDeclarationInTheHeaderAppearsInTheGeneratedCode()
    {
        var decls = HeaderDeclarations();
        Assert.Contains(decls, d => d.Kind == "function");
        var asm = typeof(NativeMethods).Assembly;
        var methods = typeof(NativeMethods).GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => m.Name).ToHashSet();
        foreach (var (kind, name) in decls)
        {
            switch (kind)
            {
                case "function":
                    Assert.True(methods.Contains(name), $"function {name} missing from NativeMethods");
                    break;
                case "struct":
                    Assert.True(asm.GetType("SdNative.Interop." + name) != null, $"struct {name} missing");
                    break;
                case "enum":
                case "callback":
                    var pascal = string.Concat(name.Split('_').Select(s => char.ToUpperInvariant(s[0]) + s[1..]));
                    Assert.True(asm.GetType("SdNative.Interop." + pascal) != null, $"{kind} {name} missing (as {pascal})");
                    break;
                case "handle":
                    var handle = string.Concat(name.Split('_').Select(s => char.ToUpperInvariant(s[0]) + s[1..])) + "Handle";
                    Assert.True(asm.GetType("SdNative.Interop.Handles." + handle) != null, $"SafeHandle {handle} missing for {name}");
                    break;
            }
        }
    }

    [Fact]
    public void RegeneratingGivesTheCommittedFiles()
    {
        var tmp = Directory.CreateTempSubdirectory("sdn-bindings-");
        try
        {
            var native = Path.Combine(tmp.FullName, "native");
            var (code, _, stderr) = ProcessRunner.Run(Python, RepoPaths.GeneratorScript, "--out", tmp.FullName, "--native-out", native);
            Assert.True(code == 0, stderr);
            var committed = Path.Combine(RepoPaths.Root, "src", "SdNative.Interop", "Generated");
            var fresh = Directory.GetFiles(tmp.FullName, "*.g.cs").Select(Path.GetFileName).Order().ToList();
            Assert.Equal(Directory.GetFiles(committed, "*.g.cs").Select(Path.GetFileName).Order().ToList(), fresh);
            foreach (var file in fresh)
            {
                Assert.True(File.ReadAllText(Path.Combine(committed, file!)) == File.ReadAllText(Path.Combine(tmp.FullName, file!)),
                    $"{file} differs from a fresh generation: run scripts/generate-bindings");
            }
            Assert.True(
                File.ReadAllText(Path.Combine(RepoPaths.Root, "native", "src", "api", "struct_layout.g.cpp")) ==
                File.ReadAllText(Path.Combine(native, "struct_layout.g.cpp")),
                "struct_layout.g.cpp differs from a fresh generation: run scripts/generate-bindings");
        }
        finally
        {
            tmp.Delete(true);
        }
    }

    [Fact]
    public void StructSizesAndOffsetsMatchTheNativeCompiler()
    {
        SdnLibrary.EnsureLoaded();
        var structs = typeof(NativeMethods).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.Namespace == "SdNative.Interop" && t.StructLayoutAttribute?.Value == LayoutKind.Explicit)
            .ToList();
        Assert.NotEmpty(structs);
        foreach (var type in structs)
        {
            long nativeSize = NativeMethods.sdn_debug_struct_size(type.Name);
            Assert.True(nativeSize > 0, $"native library does not know struct {type.Name}");
            Assert.Equal(nativeSize, (long)Marshal.SizeOf(type));
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                var offset = field.GetCustomAttribute<FieldOffsetAttribute>()!.Value;
                Assert.Equal(NativeMethods.sdn_debug_field_offset(type.Name, field.Name), (long)offset);
            }
        }
    }
}
