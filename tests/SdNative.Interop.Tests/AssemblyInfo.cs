// Live-object counts are process-wide: these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
