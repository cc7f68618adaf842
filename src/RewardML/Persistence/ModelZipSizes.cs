using System.IO.Compression;

namespace RewardML.Persistence;

/// <summary>
/// Checks a model zip's declared entry sizes before ML.NET inflates anything: an entry of one of our components must
/// declare the length its <c>component.json</c> records, and any other entry (ML.NET's own: <c>Schema</c>,
/// <c>Model.key</c>, …) at most <see cref="MaxOtherEntryBytes"/>. .NET stops inflating an entry at its declared size, so
/// a small zip whose entry would inflate to GiBs is refused here, before a byte reaches memory or <c>TMPDIR</c>.
/// </summary>
internal static class ModelZipSizes
{
    /// <summary>The most an entry that no component manifest lists may inflate to (64 MiB).</summary>
    public const long MaxOtherEntryBytes = 64L << 20;

    private const long MaxManifestBytes = 1L << 20;

    /// <summary>Throws (a <see cref="ModelZipError"/>) when an entry declares a size it should not have; a file that is not a zip is left to ML.NET's own message.</summary>
    public static void Require(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            return; // not a zip: ML.NET's load reports it
        }
        using (zip)
        {
            var listed = new Dictionary<string, (long Length, string Manifest)>(StringComparer.OrdinalIgnoreCase);
            foreach (var manifestEntry in zip.Entries.Where(e => e.FullName.EndsWith("/" + ComponentManifest.EntryName, StringComparison.Ordinal)))
            {
                string directory = manifestEntry.FullName[..^(ComponentManifest.EntryName.Length + 1)];
                if (manifestEntry.Length > MaxManifestBytes)
                    throw Refuse(manifestEntry, $"a component manifest of at most {MaxManifestBytes} bytes");
                using var stream = manifestEntry.Open();
                using var bytes = new MemoryStream();
                stream.CopyTo(bytes);
                var manifest = ComponentManifest.Parse(bytes.ToArray(), $"component '{directory}'");
                foreach (var entry in manifest.Entries) listed[$"{directory}/{entry.Name}"] = (entry.Length, manifestEntry.FullName);
            }
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith("/" + ComponentManifest.EntryName, StringComparison.Ordinal)) continue;
                if (listed.TryGetValue(entry.FullName, out var expected))
                {
                    if (entry.Length != expected.Length) throw Refuse(entry, $"{expected.Length} bytes, as {expected.Manifest} records");
                }
                else if (entry.Length > MaxOtherEntryBytes)
                    throw Refuse(entry, $"at most {MaxOtherEntryBytes >> 20} MiB for an entry no component manifest lists");
            }
        }
    }

    private static InvalidDataException Refuse(ZipArchiveEntry entry, string expected) =>
        ModelZipError.Create($"entry '{entry.FullName}' would inflate to {entry.Length} bytes ({entry.CompressedLength} compressed), " +
                             $"but should be {expected}; refusing to extract it: the model zip is corrupt or hostile.");
}
