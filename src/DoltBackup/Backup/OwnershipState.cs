namespace DoltBackup.Backup
{
    /// <summary>What is at a file:// backup destination, as far as ownership goes.</summary>
    public enum OwnershipState
    {
        /// <summary>Nothing there yet (or an empty folder): free to claim.</summary>
        Free,
        /// <summary>Our marker names this database and backup name.</summary>
        Owned,
        /// <summary>A marker names another database or backup name.</summary>
        Foreign,
        /// <summary>The folder holds files but no marker: a store made by someone else (or a marker that was deleted).</summary>
        Unmarked,
    }
}
