namespace DoltBackup.Restore
{
    /// <summary>What already occupies a restore target's name.</summary>
    public enum ExistingTargetKind
    {
        /// <summary>Nothing: the database is created fresh.</summary>
        None,
        /// <summary>A Dolt database of that name: with -Force Dolt moves it to <c>.dolt_dropped_databases/</c> (recoverable with dolt_undrop).</summary>
        DoltDatabase,
        /// <summary>A plain directory or file of that name in the data directory: with -Force Dolt deletes it recursively.</summary>
        PlainEntry,
    }
}
