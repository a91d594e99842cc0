// The fake engines block pool threads the way the real pipeline does; on a 2-core machine, classes running in
// parallel starve the bUnit dispatcher. Run the test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
