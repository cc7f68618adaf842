using RewardML.Bench;

// Benchmarks of the Phi decoder (results: bench/results/phi-model.md). Run with `dotnet run -c Release -- <command>`.
return args.FirstOrDefault() switch
{
    "write-checkpoint" => PhiBenchCheckpoint.Write(Options.Parse(args[1..])),
    "load-forward" => PhiLoadForwardBench.Run(Options.Parse(args[1..])),
    "throughput" => PhiThroughputBench.Run(Options.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: RewardML.Bench <command> [--option value ...]
          write-checkpoint --out DIR [--layers 32]          Phi-4-mini-shaped random bf16 checkpoint, sharded like the public one
          load-forward --checkpoint DIR --dtype float32|bfloat16 [--tokens 512] [--repeats 2]
                                                            load time, peak RSS, forward tokens/s (run under /usr/bin/time -v)
          throughput [--hidden 256] [--layers 4] [--tokens 512] [--batch 8] [--repeats 3]
                                                            small-config forward / forward+backward tokens/s and GFLOP/s vs matmul GFLOP/s
        """);
    return 2;
}
