namespace DoltBackup.Restore
{
    /// <summary>What happened to one database or artifact group of a restore.</summary>
    public enum RestoreStatus
    {
        /// <summary>Restored (see the verification for the proof).</summary>
        Restored,
        /// <summary>Tried and failed: see the error.</summary>
        Failed,
        /// <summary>Deliberately not done (refused, declined at the prompt, or not selected): never a success.</summary>
        Skipped,
    }
}
