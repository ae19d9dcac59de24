// One test class at a time: each class starts its own console and Chromium, and two of those on a 2-core machine
// slow each other down enough to make timeouts flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
