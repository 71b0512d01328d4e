using System;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>
    /// A set folder (or object-store prefix) under a backup root that holds files but no manifest.json: an upload or
    /// a backup that was killed before its manifest (always written last) arrived, or a delete that was cut off
    /// (manifest.json goes first). It is not a backup set: nothing restores from it, retention never counts it, and
    /// Remove-DoltBackup deletes it only when it is still without manifest.json, no writer holds its lock and its
    /// newest file is older than a safety age.
    /// </summary>
    public sealed class IncompleteBackupSet
    {
        internal IncompleteBackupSet(string location, string id, int objectCount, long size, DateTime? lastWriteTimeUtc)
        {
            Location = location;
            Id = id;
            ObjectCount = objectCount;
            Size = size;
            LastWriteTimeUtc = lastWriteTimeUtc;
        }

        /// <summary>The folder or URL of the set (its prefix); what Remove-DoltBackup deletes.</summary>
        public string Location { get; }

        /// <summary>The folder's name: the id the set would have had.</summary>
        public string Id { get; }

        /// <summary>The backup name read from the id (after its UTC label).</summary>
        public string Name => IsSetFolderName(Id) ? Id.Substring(17) : null;

        /// <summary>Always <see cref="BackupStatus.Incomplete"/>.</summary>
        public BackupStatus Status => BackupStatus.Incomplete;

        /// <summary>How many files (objects) the folder holds, lock file included.</summary>
        public int ObjectCount { get; }

        /// <summary>Their total size in bytes: what the folder costs.</summary>
        public long Size { get; }

        /// <summary>When the newest of them was last written (UTC); null when the service gave no time.</summary>
        public DateTime? LastWriteTimeUtc { get; }

        /// <summary>How long ago the newest file was written, when read (for the listing view).</summary>
        public TimeSpan? Age { get; internal set; }

        /// <summary>The -StorageContext the folder was listed with (in memory only); Remove-DoltBackup reaches it with it.</summary>
        [System.Management.Automation.Hidden]
        public Storage.StorageContext StorageContext { get; internal set; }

        /// <summary>
        /// True when a folder name can be an incomplete set: a set id (UTC label, a dash, a backup name). Folders that
        /// start with '.' (the shared <c>.stores</c>) and anything else are never taken for one.
        /// </summary>
        public static bool IsSetFolderName(string name)
            => name != null && name.Length > 17 && name[16] == '-' && BackupId.TryParseTime(name).HasValue && BackupId.IsValidName(name.Substring(17));

        /// <inheritdoc />
        public override string ToString() => $"{Id}: Incomplete ({ObjectCount} objects, {Size} bytes)";
    }
}
