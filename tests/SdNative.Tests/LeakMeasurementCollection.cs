namespace SdNative.Tests;

/// <summary>The test classes that measure the process's live native objects and memory with the
/// leak probe. Those counts are process-wide, so another class creating or freeing engine objects
/// at the same moment shifts them (seen as a rare failure on a busy machine); xunit runs a
/// collection with parallelization disabled on its own, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LeakMeasurementCollection
{
    public const string Name = "leak measurement";
}
