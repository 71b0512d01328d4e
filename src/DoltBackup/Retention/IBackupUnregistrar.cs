namespace DoltBackup.Retention
{
    /// <summary>
    /// Removes a backup's registration from a database on the server: <c>CALL dolt_backup('remove', name)</c> in
    /// that database (the Dolt engine seam implements it). Remove-DoltBackup -Unregister calls it before it deletes
    /// the set's data; without an implementation, -Unregister fails per set and the set is not deleted.
    /// </summary>
    public interface IBackupUnregistrar
    {
        /// <summary>
        /// Unregisters <paramref name="backupName"/> on <paramref name="database"/>. Returns normally when it is removed
        /// or was not registered; throws with a message fit for the user otherwise (the set is then kept, and
        /// reported as Failed).
        /// </summary>
        void Unregister(string database, string backupName);
    }
}
