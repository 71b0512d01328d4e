using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>What a backup set weighs, from its manifest alone.</summary>
    public static class BackupSetSize
    {
        /// <summary>
        /// Bytes of every database at its destination (where the sync recorded it; a versioned store counts in full,
        /// files shared with other versions included) plus every file captured into the backup folder; null when the
        /// manifest records no size at all.
        /// </summary>
        public static long? Of(BackupManifest set)
        {
            bool known = false;
            long total = 0;
            foreach (var d in set.Databases.Where(d => d.Bytes.HasValue))
            {
                known = true;
                total += d.Bytes.Value;
            }
            foreach (var a in set.Artifacts)
            {
                known = true;
                total += a.Size;
            }
            return known ? total : (long?)null;
        }

        /// <summary>
        /// What the set added to the disk: like <see cref="Of"/>, but a -Versioned file:// store counts only the bytes
        /// it did not share by hard link with the version it was seeded from (<c>newBytes</c>). Null when no size is recorded.
        /// </summary>
        public static long? NewOf(BackupManifest set)
        {
            bool known = false;
            long total = 0;
            foreach (var d in set.Databases)
            {
                long? bytes = d.NewBytes ?? d.Bytes;
                if (bytes.HasValue)
                {
                    known = true;
                    total += bytes.Value;
                }
            }
            foreach (var a in set.Artifacts)
            {
                known = true;
                total += a.Size;
            }
            return known ? total : (long?)null;
        }
    }
}
