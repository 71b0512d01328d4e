namespace DoltBackup.Verification
{
    /// <summary>What a path given to Test-DoltBackup is.</summary>
    public enum BackupTargetKind
    {
        /// <summary>Not something DoltBackup can verify.</summary>
        Unknown,
        /// <summary>A backup folder with manifest.json (or the manifest.json itself).</summary>
        BackupFolder,
        /// <summary>A file:// backup or remote directory: a bare NBS store with its manifest at the root.</summary>
        BareStore,
        /// <summary>A database's .dolt directory.</summary>
        DoltDirectory,
        /// <summary>A data directory (databases in sub-folders, or a database folder itself).</summary>
        DataDirectory,
    }
}
