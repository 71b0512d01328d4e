namespace DoltBackup.FileCopy
{
    /// <summary>The kinds of tar entries DoltBackup writes and reads.</summary>
    public enum TarEntryType
    {
        /// <summary>A regular file.</summary>
        File,
        /// <summary>A directory.</summary>
        Directory,
        /// <summary>Anything else (links, devices): refused on restore.</summary>
        Other,
    }
}
