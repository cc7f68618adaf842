using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace RewardML.Runtime;

/// <summary>
/// Makes TorchSharp's native backend load on every supported Linux, with no step by the user.
/// Every RewardML entry point that touches TorchSharp calls <see cref="EnsureInitialized"/> first.
/// </summary>
/// <remarks>
/// <para>Two situations are handled before TorchSharp's own loader runs:</para>
/// <list type="bullet">
/// <item><description>Old libstdc++ (Debian 12, Ubuntu 22.04): a copy of <c>libLibTorchSharp.so</c> whose
/// <c>GLIBCXX_3.4.32</c> need is flagged weak is written once to the RewardML cache (never into the NuGet cache) and
/// bound to TorchSharp's <c>[DllImport("LibTorchSharp")]</c>. See <see cref="LibstdcxxCompatibility"/>.</description></item>
/// <item><description>External libtorch (the GPU path): when <c>REWARDML_LIBTORCH</c> names a libtorch <c>lib</c> folder,
/// such as a PyTorch install's <c>torch/lib</c>, libtorch (with CUDA when <c>libtorch_cuda.so</c> is there) is loaded from it.</description></item>
/// </list>
/// On a host whose libstdc++ is new enough and with no <c>REWARDML_LIBTORCH</c>, nothing changes.
/// <para>It also applies <see cref="CpuHeapTuning"/>, so step-to-step tensor buffers are reused rather than re-faulted.</para>
/// </remarks>
public static class TorchRuntime
{
    /// <summary>Environment variable naming an external libtorch <c>lib</c> folder.</summary>
    public const string LibTorchVariable = "REWARDML_LIBTORCH";

    /// <summary>Environment variable overriding where patched native copies are cached.</summary>
    public const string CacheVariable = "REWARDML_CACHE";

    private static readonly object Gate = new();
    private static RuntimeReport? _report;

    /// <summary>What <see cref="EnsureInitialized"/> did; null before the first call.</summary>
    public static RuntimeReport? Report => _report;

    /// <summary>Loads the native backend once per process; later calls return the same report.</summary>
    /// <exception cref="InvalidOperationException">The backend cannot be loaded; the message says why and what to do.</exception>
    public static RuntimeReport EnsureInitialized()
    {
        if (_report is not null) return _report;
        lock (Gate)
        {
            if (_report is not null) return _report;
            var report = Prepare();
            bool heapTuned = CpuHeapTuning.Apply(); // before the first tensor, so every activation buffer is kept
            // Touching torch runs TorchSharp's static loader, now against the libraries prepared above.
            if (report.CudaAvailable) torch.InitializeDeviceType(DeviceType.CUDA);
            _ = torch.ones(1).sum().item<float>();
            _report = report with { CudaAvailable = report.CudaAvailable && torch.cuda.is_available(), HeapTuned = heapTuned };
            return _report;
        }
    }

    private static RuntimeReport Prepare()
    {
        if (!OperatingSystem.IsLinux()) return new RuntimeReport(null, null, false);

        string? external = Environment.GetEnvironmentVariable(LibTorchVariable);
        string? libTorchDir = string.IsNullOrWhiteSpace(external) ? null : Path.GetFullPath(external);
        if (libTorchDir is not null && !File.Exists(Path.Combine(libTorchDir, "libtorch.so")))
            throw new InvalidOperationException($"{LibTorchVariable}={libTorchDir}: no libtorch.so there; point it at a libtorch 'lib' folder such as a PyTorch install's torch/lib.");

        // An app published for an external libtorch may keep libLibTorchSharp.so beside that libtorch instead.
        string? besideLibTorch = libTorchDir is null ? null : Path.Combine(libTorchDir, "libLibTorchSharp.so");
        string? torchSharp = NativeLibraryLocator.Find("libLibTorchSharp.so")
            ?? (File.Exists(besideLibTorch) ? besideLibTorch : null);
        if (torchSharp is null) return new RuntimeReport(null, libTorchDir, false); // let TorchSharp report what is missing

        string? patched = PatchedCopyIfNeeded(torchSharp);
        string packagedDir = Path.GetDirectoryName(NativeLibraryLocator.Find("libtorch.so") ?? torchSharp)!;
        var plan = NativeLoadPlan.Create(libTorchDir, torchSharp, patched, packagedDir);
        if (plan.Libraries.Count == 0) return new RuntimeReport(null, null, false);

        IntPtr handle = IntPtr.Zero;
        foreach (var library in plan.Libraries) handle = NativeLibrary.Load(library);
        BindTorchSharp(handle); // the last library loaded is libLibTorchSharp (or its compatible copy)
        return new RuntimeReport(patched, libTorchDir, plan.Cuda);
    }

    /// <summary>Returns the path of a compatible copy when the host's libstdc++ needs one, else null.</summary>
    private static string? PatchedCopyIfNeeded(string torchSharp)
    {
        string? libstdcxx = NativeLibraryLocator.LoadedLibstdcxx();
        if (libstdcxx is null) return null;
        byte[] image = File.ReadAllBytes(torchSharp);
        var plan = LibstdcxxCompatibility.Decide(
            ElfSymbolVersions.Parse(image, torchSharp), ElfSymbolVersions.Read(libstdcxx).Defined);
        if (plan.Unsatisfiable.Count > 0)
            throw new InvalidOperationException(
                $"{torchSharp} needs {string.Join(", ", plan.Unsatisfiable)} from libstdc++, which {libstdcxx} lacks; install a newer libstdc++6 (GCC 13 or later).");
        if (!plan.NeedsPatch) return null;

        string hash = Convert.ToHexString(SHA256.HashData(image))[..16].ToLowerInvariant();
        string dir = Path.Combine(CacheRoot(), "native", $"libtorchsharp-{hash}");
        string target = Path.Combine(dir, "libLibTorchSharp.so");
        if (File.Exists(target)) return target;

        Directory.CreateDirectory(dir);
        ElfSymbolVersions.MarkWeak(image, plan.ToWeaken);
        // Write then rename, so a concurrent process never loads a half-written copy.
        string temp = Path.Combine(dir, $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, image);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    /// <summary>The folder RewardML caches derived files in: <c>REWARDML_CACHE</c>, else the XDG cache, else ~/.cache.</summary>
    public static string CacheRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string root = !string.IsNullOrWhiteSpace(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache") : Path.GetTempPath();
        return Path.Combine(root, "rewardml");
    }

    private static void BindTorchSharp(IntPtr handle)
    {
        Assembly torchSharp = typeof(torch).Assembly;
        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) =>
                name is "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // A resolver was already set (by the host app). The loader still finds our copy: it is loaded
            // under the soname libLibTorchSharp.so, which a plain-name dlopen matches first.
        }
    }
}

/// <summary>What <see cref="TorchRuntime.EnsureInitialized"/> did.</summary>
/// <param name="PatchedLibrary">Path of the compatible <c>libLibTorchSharp.so</c> copy in use, or null when none was needed.</param>
/// <param name="ExternalLibTorch">The external libtorch folder in use, or null for the packaged CPU libtorch.</param>
/// <param name="CudaAvailable">True when CUDA was initialised and a device is visible.</param>
public sealed record RuntimeReport(string? PatchedLibrary, string? ExternalLibTorch, bool CudaAvailable)
{
    /// <summary>True when <see cref="CpuHeapTuning"/> keeps freed buffers in the heap.</summary>
    public bool HeapTuned { get; init; }
}
