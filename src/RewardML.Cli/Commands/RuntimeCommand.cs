using RewardML.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary><c>rewardml runtime</c>: how the native backend was loaded, for bug reports and GPU setup checks.</summary>
internal sealed class RuntimeCommand : Command<RuntimeCommand.Settings>
{
    /// <summary>The same <c>--device/--dtype/--threads</c> as the verbs that run a model; the table shows what they resolve to.</summary>
    public sealed class Settings : ComputeCommandSettings
    {
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var compute = settings.ToComputeOptions().Resolve();
        var report = TorchRuntime.Report!;
        var table = new Table().AddColumns("setting", "value");
        table.AddRow("device", compute.Device.ToString());
        table.AddRow("dtype", compute.DType.ToString().ToLowerInvariant());
        table.AddRow("threads", compute.Threads.ToString());
        table.AddRow("libtorch", Markup.Escape(report.ExternalLibTorch ?? "packaged (TorchSharp-cpu)"));
        table.AddRow("libLibTorchSharp", Markup.Escape(report.PatchedLibrary is null ? "as shipped" : $"compatibility copy {report.PatchedLibrary}"));
        table.AddRow("cpu heap", report.HeapTuned
            ? "freed tensor buffers kept for reuse" : Markup.Escape($"glibc defaults ({CpuHeapTuning.Decide(Environment.GetEnvironmentVariable) ?? "mallopt refused"})"));
        table.AddRow("cuda", report.CudaAvailable ? "available" : "not available");
        AnsiConsole.Write(table);
        return 0;
    }
}
