// Tests share TorchSharp's process-wide state (threads, default dtype); run classes in parallel, methods in order.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
