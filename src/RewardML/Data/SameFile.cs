using System.Runtime.InteropServices;

namespace RewardML.Data;

/// <summary>
/// Whether two paths name the same file: after symlinks are resolved, and (on Linux and macOS) by device and inode, so
/// that a hard link is recognised too. Used to refuse an output that would overwrite an input of the same command.
/// </summary>
internal static partial class SameFile
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are the same existing file or folder, or the same path.</summary>
    public static bool Is(string a, string b)
    {
        if (string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal)) return true;
        return Identity(a) is { } x && Identity(b) is { } y && x == y;
    }

    /// <summary>Whether <paramref name="path"/> (resolved) lies inside folder <paramref name="folder"/> (resolved), at any depth.</summary>
    public static bool IsInside(string path, string folder)
    {
        string root = Resolve(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Resolve(path).StartsWith(root, StringComparison.Ordinal);
    }

    /// <summary>The full path with every symlink on it resolved (the parts that exist), so links and their targets compare equal.</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            // Resolve the deepest existing ancestor (folder links), then the file itself (a link to a file).
            string? existing = full;
            var rest = new Stack<string>();
            while (existing is not null && !File.Exists(existing) && !Directory.Exists(existing) && !IsLink(existing))
            {
                rest.Push(Path.GetFileName(existing));
                existing = Path.GetDirectoryName(existing);
            }
            if (existing is null) return full;
            string resolved = ResolveExisting(existing);
            while (rest.Count > 0) resolved = Path.Combine(resolved, rest.Pop());
            return resolved;
        }
        catch (IOException)
        {
            return full;
        }
        catch (UnauthorizedAccessException)
        {
            return full;
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string ResolveExisting(string path)
    {
        // Walk from the root so that links in folders above are resolved as well as the last part.
        string? parent = Path.GetDirectoryName(path);
        string here = parent is null ? path : Path.Combine(ResolveExisting(parent), Path.GetFileName(path));
        for (int hops = 0; hops < 40 && new FileInfo(here).LinkTarget is { } target; hops++)
            here = Path.GetFullPath(target, Path.GetDirectoryName(here) ?? "/");
        return here;
    }

    /// <summary>(device, inode) of an existing path, following links; null where unknown (missing, Windows).</summary>
    private static (ulong Device, ulong Inode)? Identity(string path)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
            return null;
        var buffer = new byte[512]; // larger than struct stat on every 64-bit Unix we run on
        if (Stat(path, buffer) != 0) return null;
        // 64-bit Linux (x86-64 and the generic arm64 layout): st_dev u64 at 0, st_ino u64 at 8. macOS: st_dev i32 at 0, st_ino u64 at 8.
        ulong device = OperatingSystem.IsMacOS() ? BitConverter.ToUInt32(buffer, 0) : BitConverter.ToUInt64(buffer, 0);
        return (device, BitConverter.ToUInt64(buffer, 8));
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = false)]
    private static partial int Stat(string path, byte[] buffer);
}
