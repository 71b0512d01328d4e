namespace DoltBackup.Verification
{
    /// <summary>The outcome of one verification check.</summary>
    public enum VerificationStatus
    {
        /// <summary>The check ran and found what it expected.</summary>
        Passed,
        /// <summary>The check ran and found damage or a mismatch.</summary>
        Failed,
        /// <summary>The check could not run (never counted as passed); the message says why.</summary>
        Skipped,
        /// <summary>Something worth knowing that is not damage (for example an unreferenced extra file).</summary>
        Info,
    }
}
