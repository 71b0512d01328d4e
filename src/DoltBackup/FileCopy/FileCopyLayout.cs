namespace DoltBackup.FileCopy
{
    /// <summary>Names of what a FileCopy backup puts into its backup folder.</summary>
    public static class FileCopyLayout
    {
        /// <summary>The plain-tree copy of the data dir.</summary>
        public const string TreeFolder = "datadir";
        /// <summary>The uncompressed archive of the data dir.</summary>
        public const string TarFile = "datadir.tar";
        /// <summary>The gzip-compressed archive of the data dir.</summary>
        public const string TarGzipFile = "datadir.tar.gz";
        /// <summary>Artifact kind of a file of the data dir.</summary>
        public const string DataFileKind = "DataFile";
        /// <summary>Artifact kind of the archive itself.</summary>
        public const string DataArchiveKind = "DataArchive";

        /// <summary>True when an archive path (relative to the backup folder) is gzip-compressed.</summary>
        public static bool IsGzip(string storedPath) => storedPath != null && storedPath.EndsWith(".gz", System.StringComparison.OrdinalIgnoreCase);
    }
}
