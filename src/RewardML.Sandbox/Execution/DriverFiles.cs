namespace RewardML.Sandbox.Execution;

/// <summary>
/// The Python that runs inside the sandbox (Execution/sandbox_worker.py, which imports Execution/sandbox_driver.py),
/// embedded in this assembly and written as files into a private folder (mode 0700) that every sandbox binds
/// read-only at <see cref="SandboxFolder"/>. As files they are read and compiled once per warm worker, not passed as
/// <c>-c</c> source to every interpreter.
/// </summary>
internal sealed class DriverFiles : IDisposable
{
    /// <summary>Where the folder appears inside the sandbox.</summary>
    public const string SandboxFolder = "/rewardml";

    private const string Worker = "sandbox_worker.py";
    private static readonly string[] Scripts = [Worker, "sandbox_driver.py"];

    private DriverFiles(string folder) => Folder = folder;

    /// <summary>The host folder holding the scripts.</summary>
    public string Folder { get; }

    /// <summary>The worker script on the host (for runs without bubblewrap).</summary>
    public string HostWorker => Path.Combine(Folder, Worker);

    /// <summary>The worker script as the sandbox sees it.</summary>
    public static string SandboxWorker => SandboxFolder + "/" + Worker;

    /// <summary>Writes the scripts into a new private temporary folder.</summary>
    public static DriverFiles Write()
    {
        var folder = Directory.CreateTempSubdirectory("rewardml-driver-").FullName; // 0700 on Unix
        foreach (var name in Scripts)
        {
            using var stream = typeof(DriverFiles).Assembly.GetManifestResourceStream("RewardML.Sandbox." + name)
                ?? throw new InvalidOperationException($"The embedded sandbox script {name} is missing from RewardML.Sandbox.dll.");
            string path = Path.Combine(folder, name);
            using (var file = File.Create(path)) stream.CopyTo(file);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return new DriverFiles(folder);
    }

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
