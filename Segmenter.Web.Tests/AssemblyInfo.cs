// The sessions train with the real engine on pool threads; on a 2-core machine, classes running in
// parallel starve the bUnit dispatcher. Run the test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
