// Leak checks compare the library's live-object count and the process RSS before and after;
// tests running in parallel would move both, so this assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
