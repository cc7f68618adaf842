using TorchSharp;

namespace RewardML.Runtime;

/// <summary>Where and how tensors are computed. Every component takes one of these; nothing reads globals.</summary>
public sealed class ComputeOptions
{
    /// <summary><c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Compute dtype of model weights and activations: <c>float32</c>, <c>bfloat16</c> or <c>float16</c>.</summary>
    public string DType { get; set; } = "float32";

    /// <summary>Intra-op CPU threads; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>Resolves the options into torch objects, loading the native runtime first.</summary>
    public ComputeSettings Resolve() => ComputeSettings.From(this);
}

/// <summary>Resolved compute settings: the single place that turns options into a torch device, dtype and thread count.</summary>
public sealed record ComputeSettings(torch.Device Device, torch.ScalarType DType, int Threads)
{
    private static readonly object ThreadGate = new();

    /// <summary>CPU, float32, libtorch's default threads: what tests and small tools use.</summary>
    public static ComputeSettings CpuFloat32 => From(new ComputeOptions { Device = "cpu" });

    /// <summary>Resolves <paramref name="options"/>; applies the thread count process-wide (libtorch has one pool).</summary>
    /// <exception cref="ArgumentException">An option value is not recognised, or CUDA is asked for but not available.</exception>
    public static ComputeSettings From(ComputeOptions options)
    {
        var runtime = TorchRuntime.EnsureInitialized();
        var device = ParseDevice(options.Device, runtime.CudaAvailable);
        var dtype = ParseDType(options.DType);
        if (options.Threads < 0) throw new ArgumentException($"Threads must be 0 (default) or positive, got {options.Threads}.");
        if (options.Threads > 0)
            lock (ThreadGate)
                if (torch.get_num_threads() != options.Threads) torch.set_num_threads(options.Threads);
        return new ComputeSettings(device, dtype, torch.get_num_threads());
    }

    /// <summary>Parses a device name; <c>auto</c> picks CUDA when the runtime has it.</summary>
    public static torch.Device ParseDevice(string name, bool cudaAvailable)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n is "auto" or "") return cudaAvailable ? new torch.Device(DeviceType.CUDA) : torch.CPU;
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cudaAvailable)
                throw new ArgumentException($"Device '{name}' asked for, but CUDA is not available: set {TorchRuntime.LibTorchVariable} to a CUDA libtorch 'lib' folder (README, GPU).");
            return new torch.Device(n);
        }
        throw new ArgumentException($"Unknown device '{name}'; use auto, cpu, cuda or cuda:N.");
    }

    /// <summary>Parses a dtype name (<c>float32|fp32|bfloat16|bf16|float16|fp16|half</c>).</summary>
    public static torch.ScalarType ParseDType(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "float" => torch.ScalarType.Float32,
        "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
        "float16" or "fp16" or "half" => torch.ScalarType.Float16,
        _ => throw new ArgumentException($"Unknown dtype '{name}'; use float32, bfloat16 or float16."),
    };
}
