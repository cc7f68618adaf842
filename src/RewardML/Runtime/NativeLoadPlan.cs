namespace RewardML.Runtime;

/// <summary>The native libraries to load, in order, before TorchSharp's own loader runs.</summary>
/// <param name="Libraries">Full paths, dependencies first, <c>libLibTorchSharp.so</c> (or its compatible copy) last.</param>
/// <param name="Cuda">True when the libtorch in use has CUDA (<c>libtorch_cuda.so</c> is present).</param>
internal sealed record NativeLoadPlan(IReadOnlyList<string> Libraries, bool Cuda)
{
    private static readonly string[] CpuOrder = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    private static readonly string[] CudaOrder = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>Nothing to preload: TorchSharp loads its packaged libraries itself.</summary>
    public static NativeLoadPlan None { get; } = new([], false);

    /// <summary>
    /// Plans the preload. With an external libtorch folder its libraries are loaded (CUDA ones when present) so
    /// that TorchSharp binds to them; with a compatible copy the packaged libtorch is loaded from
    /// <paramref name="packagedLibTorchDir"/> so the copy's DT_NEEDED entries resolve by soname.
    /// </summary>
    /// <param name="externalLibTorchDir">The folder <c>REWARDML_LIBTORCH</c> names, or null.</param>
    /// <param name="torchSharp">The packaged <c>libLibTorchSharp.so</c>.</param>
    /// <param name="compatibleCopy">A compatible copy of it, or null when the packaged one loads as it is.</param>
    /// <param name="packagedLibTorchDir">Where the packaged <c>libtorch.so</c> lives.</param>
    public static NativeLoadPlan Create(string? externalLibTorchDir, string torchSharp, string? compatibleCopy, string packagedLibTorchDir)
    {
        if (externalLibTorchDir is null && compatibleCopy is null) return None;
        string depsDir = externalLibTorchDir ?? packagedLibTorchDir;
        bool cuda = externalLibTorchDir is not null && File.Exists(Path.Combine(externalLibTorchDir, "libtorch_cuda.so"));
        var libraries = (cuda ? CudaOrder : CpuOrder)
            .Select(name => Path.Combine(depsDir, name))
            .Where(File.Exists)
            .Append(compatibleCopy ?? torchSharp)
            .ToList();
        return new NativeLoadPlan(libraries, cuda);
    }
}
