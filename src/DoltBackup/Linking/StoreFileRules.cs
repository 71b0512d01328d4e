using System;

namespace DoltBackup.Linking
{
    /// <summary>What seeding does with one file of a file:// store.</summary>
    public enum StoreFileTreatment
    {
        /// <summary>Immutable and named by its content: shared by a hard link.</summary>
        Link,
        /// <summary>Rewritten or locked by Dolt (manifest, LOCK), or unknown: copied, never shared.</summary>
        Copy,
        /// <summary>A transient file of an interrupted write that Dolt never reads: left out.</summary>
        Skip,
    }

    /// <summary>
    /// The explicit list of files a new version may share with an earlier one (dolt-reference §6, and Dolt's
    /// go/store/nbs: table files and archives are written to a temporary file and renamed to their content hash, never
    /// modified afterwards). Only these are linked: a table file <c>&lt;32 base32 chars&gt;</c> and an archive
    /// <c>&lt;32 chars&gt;.darc</c>, in the store folder or its <c>oldgen/</c>. <c>manifest</c> is replaced by rename on
    /// every sync and <c>LOCK</c> is a flock target (a shared inode would share the lock), so both are copied; so is the
    /// chunk journal <c>vvvv…</c> (appended in place) and anything unknown.
    /// </summary>
    public static class StoreFileRules
    {
        /// <summary>The chunk journal's file name: 32 'v's. It matches the table-file pattern but is appended in place.</summary>
        public const string JournalName = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";

        /// <summary>What to do with the file at <paramref name="relativePath"/> ('/'-separated, relative to the store folder).</summary>
        public static StoreFileTreatment Classify(string relativePath)
        {
            string path = relativePath.Replace('\\', '/');
            int slash = path.LastIndexOf('/');
            string folder = slash < 0 ? "" : path.Substring(0, slash);
            string name = path.Substring(slash + 1);
            if (name.StartsWith("nbs_table_", StringComparison.Ordinal) || name.StartsWith("nbs_manifest_", StringComparison.Ordinal)
                || name.StartsWith(".dolt_prune_probe_", StringComparison.Ordinal))
            {
                return StoreFileTreatment.Skip;
            }
            if ((folder.Length == 0 || folder == "oldgen") && IsContentNamed(name))
            {
                return StoreFileTreatment.Link;
            }
            return StoreFileTreatment.Copy;
        }

        /// <summary>True for a table file name or an archive name (not the journal).</summary>
        public static bool IsContentNamed(string name)
        {
            if (name.Length == 37 && name.EndsWith(".darc", StringComparison.Ordinal))
            {
                name = name.Substring(0, 32);
            }
            else if (name.Length != 32 || name == JournalName)
            {
                return false;
            }
            foreach (char c in name)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
