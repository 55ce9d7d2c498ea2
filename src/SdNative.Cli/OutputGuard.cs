namespace SdNative.Cli;

/// <summary>
/// Remembers what the output folder held before a run, so a failed or cancelled run can take
/// back every file and folder it created: a failure leaves the output folder as it was.
/// </summary>
public sealed class OutputGuard
{
    private readonly string _root;
    private readonly HashSet<string> _before;
    private readonly bool _existed;

    public OutputGuard(string outputDir)
    {
        _root = Path.GetFullPath(outputDir);
        _existed = Directory.Exists(_root);
        _before = _existed ? Entries().ToHashSet() : [];
    }

    private IEnumerable<string> Entries() =>
        Directory.Exists(_root) ? Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories) : [];

    /// <summary>Files created since the guard was made.</summary>
    public IReadOnlyList<string> NewFiles() => Entries().Where(e => File.Exists(e) && !_before.Contains(e)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Deletes what the run created (files first, then the folders, deepest first).</summary>
    public void RollBack()
    {
        var created = Entries().Where(e => !_before.Contains(e)).ToList();
        foreach (var file in created.Where(File.Exists))
        {
            TryDelete(() => File.Delete(file));
        }
        foreach (var dir in created.Where(Directory.Exists).OrderByDescending(d => d.Length))
        {
            TryDelete(() => Directory.Delete(dir, recursive: true));
        }
        if (!_existed && Directory.Exists(_root) && !Directory.EnumerateFileSystemEntries(_root).Any())
        {
            TryDelete(() => Directory.Delete(_root));
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
