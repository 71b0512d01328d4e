namespace DoltBackup.Manifest
{
    /// <summary>
    /// How a -Versioned file:// store started before Dolt synced into it (manifest field <c>databases[].seed</c>): as
    /// hard links to the files of the same database's store in the newest Completed version of the same backup name,
    /// as a copy of them (hard links impossible there), or empty (a full sync).
    /// </summary>
    public sealed class StoreSeed
    {
        /// <summary>HardLink, Copy or FullSync.</summary>
        public StoreSeedMethod Method { get; set; }
        /// <summary>The id of the version whose store was the starting point (HardLink, Copy).</summary>
        public string FromSet { get; set; }
        /// <summary>The URL of that store.</summary>
        public string FromUrl { get; set; }
        /// <summary>Files that became hard links to the earlier version's files (shared on disk: not new).</summary>
        public int LinkedFiles { get; set; }
        /// <summary>Bytes of those files.</summary>
        public long LinkedBytes { get; set; }
        /// <summary>Files copied from the earlier version (its manifest and LOCK always; all files when linking failed).</summary>
        public int CopiedFiles { get; set; }
        /// <summary>Bytes of those files.</summary>
        public long CopiedBytes { get; set; }
        /// <summary>Why the store was not (fully) linked, when it was not.</summary>
        public string Note { get; set; }

        /// <inheritdoc />
        public override string ToString() => FromSet == null ? Method.ToString() : $"{Method} from {FromSet}";
    }

    /// <summary>How a versioned store was seeded.</summary>
    public enum StoreSeedMethod
    {
        /// <summary>The store started empty: Dolt wrote every file (no earlier Completed version, or it could not be used).</summary>
        FullSync,
        /// <summary>The earlier version's immutable files were hard-linked; Dolt wrote only what was new.</summary>
        HardLink,
        /// <summary>Hard links could not be made (another file system, permissions, no hard links): the files were copied.</summary>
        Copy,
    }
}
