using RewardML.Bench;

// Benchmarks of the Phi decoder (results: bench/results/phi-model.md) and of the reward head (bench/results/reward-head.md).
// Run with `dotnet run -c Release -- <command>` or `dotnet bin/Release/net10.0/RewardML.Bench.dll <command>`.
return args.FirstOrDefault() switch
{
    "write-checkpoint" => PhiBenchCheckpoint.Write(Options.Parse(args[1..])),
    "load-forward" => PhiLoadForwardBench.Run(Options.Parse(args[1..])),
    "throughput" => PhiThroughputBench.Run(Options.Parse(args[1..])),
    "step-scoring" => StepScoringBench.Run(Options.Parse(args[1..])),
    "trainer-overhead" => TrainerOverheadBench.Run(Options.Parse(args[1..])),
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
          step-scoring [--programs 32] [--steps 10] [--min-tokens 300] [--max-tokens 600] [--rounds 3] [--threads 0]
                       [--hidden 256] [--layers 4] [--vocab 100352] [--max-tokens-per-batch 16384] [--mask-check TOKENS [--mask-check-rows 8]]
                                                            one forward pass per program (transformer batched by token budget, and
                                                            ScoreSteps one row at a time) vs one pass per step prefix (TRL PRM style):
                                                            programs/s, speedup, max |difference| of the step values;
                                                            --mask-check: Forward on one batch unmasked / with a padding mask / row by row
          trainer-overhead [--batch 8] [--steps 8] [--rounds 5] [--threads 0] [--trainable-layers 12] [--train-embeddings default|true|false]
                           [--min-tokens 300] [--max-tokens 600] [--row-steps 10] [--hidden 256] [--layers 4] [--vocab 100352]
                                                            full Fit steps/s vs the bare forward+backward(+clip+AdamW) loop over the
                                                            same batches, interleaved per round; ratios and medians
        """);
    return 2;
}
