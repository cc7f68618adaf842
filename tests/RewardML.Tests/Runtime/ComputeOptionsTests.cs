using RewardML.Runtime;
using TorchSharp;

namespace RewardML.Tests.Runtime;

[TestClass]
public sealed class ComputeOptionsTests
{
    [TestMethod]
    [DataRow("float32", torch.ScalarType.Float32)]
    [DataRow("FP32", torch.ScalarType.Float32)]
    [DataRow("bf16", torch.ScalarType.BFloat16)]
    [DataRow("bfloat16", torch.ScalarType.BFloat16)]
    [DataRow("half", torch.ScalarType.Float16)]
    public void ParsesDTypeNames(string name, torch.ScalarType expected) =>
        Assert.AreEqual(expected, ComputeSettings.ParseDType(name));

    [TestMethod]
    public void UnknownNamesAreClearErrors()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ComputeSettings.ParseDType("int4")).Message, "int4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ComputeSettings.ParseDevice("tpu", false)).Message, "tpu");
    }

    [TestMethod]
    public void AutoPicksCudaOnlyWhenAvailable()
    {
        TorchRuntime.EnsureInitialized();
        Assert.AreEqual(DeviceType.CPU, ComputeSettings.ParseDevice("auto", cudaAvailable: false).type);
        Assert.AreEqual(DeviceType.CUDA, ComputeSettings.ParseDevice("auto", cudaAvailable: true).type);
    }

    [TestMethod]
    public void AskingForCudaWithoutItNamesTheFix()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ComputeSettings.ParseDevice("cuda", cudaAvailable: false));
        StringAssert.Contains(e.Message, TorchRuntime.LibTorchVariable);
    }

    [TestMethod]
    public void ResolvingAutoOnThisMachineGivesCudaExactlyWhenTorchSeesADevice()
    {
        var settings = new ComputeOptions { Device = "auto", DType = "bf16" }.Resolve();
        // Asked of libtorch itself, not of the runtime report the resolver reads: CPU on a machine without a GPU.
        bool cuda = torch.cuda.is_available() && torch.cuda.device_count() > 0;
        Assert.AreEqual(cuda ? DeviceType.CUDA : DeviceType.CPU, settings.Device.type,
            $"torch.cuda.is_available() = {torch.cuda.is_available()}, devices = {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)}");
        Assert.AreEqual(torch.ScalarType.BFloat16, settings.DType);
        Assert.IsGreaterThanOrEqualTo(1, settings.Threads);
        Assert.AreEqual(DeviceType.CPU, new ComputeOptions { Device = "cpu" }.Resolve().Device.type);
    }
}
