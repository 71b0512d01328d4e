namespace DoltBackup.Restore
{
    /// <summary>The proof of a restored database: its heads compared with the manifest.</summary>
    public enum VerificationOutcome
    {
        /// <summary>Not compared: nothing was restored, the manifest records no heads (-Url), or the state could not be read.</summary>
        NotChecked,
        /// <summary>Every branch head, tag and the <c>dolt_hashof_db()</c> recorded in the manifest match the restored database.</summary>
        Verified,
        /// <summary>At least one head, tag or the working-set hash differs: see the differences.</summary>
        Mismatch,
    }
}
