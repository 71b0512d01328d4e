using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using DoltBackup.Common;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Reads and writes <see cref="OwnershipMarker"/>s. The marker is a sibling of the store folder
    /// (<c>&lt;store&gt;.doltbackup-owner.json</c>), not inside it: the folder is Dolt's NBS store, and Dolt's
    /// prune may delete files there that it does not know.
    /// </summary>
    public static class OwnershipMarkerStore
    {
        /// <summary>The suffix of marker files.</summary>
        public const string Suffix = ".doltbackup-owner.json";

        /// <summary>The marker path for a store folder.</summary>
        public static string MarkerPath(string storeDir)
        {
            string full = Path.GetFullPath(storeDir).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return full + Suffix;
        }

        /// <summary>Reads the marker of a store folder, or null. An unreadable marker is reported as a foreign one.</summary>
        public static OwnershipMarker Read(string storeDir)
        {
            string path = MarkerPath(storeDir);
            if (!File.Exists(path))
            {
                return null;
            }
            try
            {
                return JsonSerializer.Deserialize<OwnershipMarker>(File.ReadAllText(path), ManifestStore.JsonOptions) ?? new OwnershipMarker { Database = "(unreadable marker)" };
            }
            catch (JsonException)
            {
                return new OwnershipMarker { Database = "(unreadable marker)" };
            }
        }

        /// <summary>Who, if anyone, owns the store folder, compared with <paramref name="expected"/>.</summary>
        public static OwnershipState Check(string storeDir, OwnershipMarker expected, out OwnershipMarker found)
        {
            found = Read(storeDir);
            if (found != null)
            {
                return found.SameOwner(expected) ? OwnershipState.Owned : OwnershipState.Foreign;
            }
            if (Directory.Exists(storeDir) && Directory.EnumerateFileSystemEntries(storeDir).Any())
            {
                return OwnershipState.Unmarked;
            }
            return OwnershipState.Free;
        }

        /// <summary>Writes the marker atomically (the parent folder is created when missing).</summary>
        public static void Claim(string storeDir, OwnershipMarker marker)
        {
            AtomicFile.WriteAllText(MarkerPath(storeDir), JsonSerializer.Serialize(marker, ManifestStore.JsonOptions), ownerOnly: false);
        }

        /// <summary>The message for a store that must not be written.</summary>
        public static string Describe(OwnershipState state, string url, OwnershipMarker found, OwnershipMarker expected)
        {
            switch (state)
            {
                case OwnershipState.Foreign:
                    return $"The backup URL {url} belongs to {found}, not to {expected}. Dolt would silently overwrite that backup, so DoltBackup refuses to use it.";
                case OwnershipState.Unmarked:
                    return $"The backup URL {url} already holds files but no DoltBackup ownership marker ({Path.GetFileName(MarkerPath(LocalPathOf(url)))}): it may be another database's backup, which Dolt would silently overwrite.";
                default:
                    return null;
            }
        }

        private static string LocalPathOf(string url) => BackupUrls.LocalPath(url);
    }
}
