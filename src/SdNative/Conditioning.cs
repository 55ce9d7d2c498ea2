using System.Collections;

namespace SdNative;

/// <summary>ComfyUI's CONDITIONING: an immutable list of entries. Combining concatenates lists.</summary>
public sealed class Conditioning : IReadOnlyList<ConditioningEntry>
{
    private readonly ConditioningEntry[] _entries;

    public Conditioning(IEnumerable<ConditioningEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.ToArray();
        foreach (var e in _entries)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(entries));
        }
    }

    public Conditioning(params ConditioningEntry[] entries)
        : this((IEnumerable<ConditioningEntry>)entries)
    {
    }

    public static Conditioning Empty { get; } = new();

    public int Count => _entries.Length;

    public ConditioningEntry this[int index] => _entries[index];

    /// <summary>A new list with every entry transformed (the ConditioningSet* nodes).</summary>
    public Conditioning Select(Func<ConditioningEntry, ConditioningEntry> change) => new(_entries.Select(change));

    /// <summary>ConditioningCombine: the entries of both lists.</summary>
    public Conditioning Concat(Conditioning other) => new(_entries.Concat(other._entries));

    public IEnumerator<ConditioningEntry> GetEnumerator() => ((IEnumerable<ConditioningEntry>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();
}
