using System.Buffers.Binary;
using System.Text;

namespace RewardML.Runtime;

/// <summary>
/// Reads the GNU symbol-versioning tables of a 64-bit little-endian ELF shared library:
/// the versions it defines (<c>.gnu.version_d</c>) and the versions it needs from each dependency
/// (<c>.gnu.version_r</c>), and can flag a needed version as weak in place.
/// </summary>
/// <remarks>
/// Only what the native-library compatibility check needs; no relocation or symbol parsing.
/// Layouts follow the System V gABI / LSB "Symbol Versioning" chapter.
/// </remarks>
internal sealed class ElfSymbolVersions
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>The <c>VER_FLG_WEAK</c> bit of <c>vna_flags</c>: a missing version is then not fatal to the loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    private ElfSymbolVersions(IReadOnlyList<string> defined, IReadOnlyList<VersionNeed> needed)
    {
        Defined = defined;
        Needed = needed;
    }

    /// <summary>Version names this library defines (for libstdc++: <c>GLIBCXX_3.4.30</c>, ...).</summary>
    public IReadOnlyList<string> Defined { get; }

    /// <summary>Every version this library needs, with the dependency it needs it from.</summary>
    public IReadOnlyList<VersionNeed> Needed { get; }

    /// <summary>One <c>Elf64_Vernaux</c> entry.</summary>
    /// <param name="File">The dependency's soname, e.g. <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Flags">The entry's <c>vna_flags</c>.</param>
    /// <param name="FlagsOffset">File offset of <c>vna_flags</c>, for patching.</param>
    public sealed record VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>True when the loader tolerates this version being absent.</summary>
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Parses the version tables of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
    public static ElfSymbolVersions Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses the version tables of an ELF image held in memory.</summary>
    public static ElfSymbolVersions Parse(ReadOnlySpan<byte> elf, string nameForErrors)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{nameForErrors}: not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{nameForErrors}: only 64-bit little-endian ELF is supported.");

        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        var defined = new List<string>();
        var needed = new List<VersionNeed>();
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            uint type = U32(elf, sh + 4);
            if (type != ShtGnuVerdef && type != ShtGnuVerneed) continue;
            int offset = checked((int)U64(elf, sh + 0x18));
            int link = (int)U32(elf, sh + 0x28);
            int entries = (int)U32(elf, sh + 0x2C);
            int strtab = checked((int)U64(elf, checked((int)(shoff + (long)link * shentsize)) + 0x18));
            if (type == ShtGnuVerdef) ReadDefinitions(elf, offset, entries, strtab, defined);
            else ReadNeeds(elf, offset, entries, strtab, needed);
        }
        return new ElfSymbolVersions(defined, needed);
    }

    /// <summary>Sets <c>VER_FLG_WEAK</c> on the given needs of an ELF image held in memory.</summary>
    public static void MarkWeak(Span<byte> elf, IEnumerable<VersionNeed> needs)
    {
        foreach (var need in needs)
        {
            int at = checked((int)need.FlagsOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(elf[at..], (ushort)(U16(elf, at) | VerFlagWeak));
        }
    }

    private static void ReadDefinitions(ReadOnlySpan<byte> elf, int at, int count, int strtab, List<string> into)
    {
        for (int i = 0; i < count; i++)
        {
            uint aux = U32(elf, at + 12), next = U32(elf, at + 16);
            // The first Verdaux names the version itself; later ones name its predecessors.
            into.Add(CString(elf, strtab + (int)U32(elf, at + (int)aux)));
            if (next == 0) break;
            at += (int)next;
        }
    }

    private static void ReadNeeds(ReadOnlySpan<byte> elf, int at, int count, int strtab, List<VersionNeed> into)
    {
        for (int i = 0; i < count; i++)
        {
            int auxCount = U16(elf, at + 2);
            string file = CString(elf, strtab + (int)U32(elf, at + 4));
            int aux = at + (int)U32(elf, at + 8);
            for (int j = 0; j < auxCount; j++)
            {
                into.Add(new VersionNeed(file, CString(elf, strtab + (int)U32(elf, aux + 8)), U16(elf, aux + 4), aux + 4));
                uint auxNext = U32(elf, aux + 12);
                if (auxNext == 0) break;
                aux += (int)auxNext;
            }
            uint next = U32(elf, at + 12);
            if (next == 0) break;
            at += (int)next;
        }
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

    private static string CString(ReadOnlySpan<byte> b, int at)
    {
        int end = b[at..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(b.Slice(at, end < 0 ? b.Length - at : end));
    }
}
