using System;
using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>What a point-in-time restore did to one branch.</summary>
    public enum BranchAsOfAction
    {
        /// <summary>Moved back to the commit chosen for the moment.</summary>
        Moved,
        /// <summary>Its head in the set already was the commit chosen for the moment.</summary>
        Unchanged,
        /// <summary>It did not exist yet at the moment (every commit of its own is later): deleted.</summary>
        Deleted,
        /// <summary>No commit at or before the moment is reachable on its line: left at its head in the set, reported.</summary>
        Unresolved,
    }

    /// <summary>One branch of a point-in-time restore: its head in the set and the commit chosen for the moment.</summary>
    public sealed class BranchAsOf
    {
        /// <summary>The branch name.</summary>
        public string Branch { get; set; }

        /// <summary>What was (or, before the restore is applied, will be) done.</summary>
        public BranchAsOfAction Action { get; set; }

        /// <summary>The branch's head in the backup set.</summary>
        public string SetHead { get; set; }

        /// <summary>The commit chosen (null for Deleted and Unresolved).</summary>
        public string Commit { get; set; }

        /// <summary>The chosen commit's own date (dolt_log's committer date, UTC).</summary>
        public DateTime? CommitDateUtc { get; set; }

        /// <summary>The chosen commit's message.</summary>
        public string Message { get; set; }

        /// <inheritdoc />
        public override string ToString() => Branch + ": " + Action + (Commit != null ? " " + Commit : "");
    }

    /// <summary>The set chosen for one database, and why.</summary>
    public sealed class PointInTimeSetChoice
    {
        /// <summary>The database's name in the backup.</summary>
        public string Database { get; set; }

        /// <summary>The chosen set.</summary>
        public BackupManifest Set { get; set; }

        /// <summary>The database's entry in the chosen set.</summary>
        public DatabaseBackupItem Item { get; set; }

        /// <summary>When the set's backup of this database was taken (its start, else the set's time), UTC.</summary>
        public DateTime TakenUtc { get; set; }

        /// <summary>True when the set was taken at or after the moment (it holds every commit up to it); false when it is the newest one before it.</summary>
        public bool CoversMoment { get; set; }

        /// <summary>Branch names recorded by the newest Completed set taken at or before the moment (they existed then), or empty.</summary>
        public ISet<string> BranchesSeenBefore { get; set; } = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The outcome of restoring one database to a point in time.</summary>
    public sealed class PointInTimeRestoreResult
    {
        /// <summary>The database's name in the backup.</summary>
        public string Database { get; set; }

        /// <summary>The name it was restored as.</summary>
        public string TargetName { get; set; }

        /// <summary>The set restored from (manifest id).</summary>
        public string BackupId { get; set; }

        /// <summary>When that set's backup of the database was taken (UTC).</summary>
        public DateTime SetTakenUtc { get; set; }

        /// <summary>True when the set was taken at or after the moment; false when it is the newest set before it (later commits are in no backup).</summary>
        public bool SetCoversMoment { get; set; }

        /// <summary>The moment restored to (UTC); for -AsOfCommit, that commit's date.</summary>
        public DateTime AsOfUtc { get; set; }

        /// <summary>The commit given with -AsOfCommit, or null.</summary>
        public string AsOfCommit { get; set; }

        /// <summary>Restored, Failed or Skipped (never a success when skipped).</summary>
        public RestoreStatus Status { get; set; }

        /// <summary>The proof: every branch and tag compared with the commits chosen for the moment.</summary>
        public VerificationOutcome Verification { get; set; }

        /// <summary>Per branch: its head in the set and the commit chosen.</summary>
        public List<BranchAsOf> Branches { get; set; } = new List<BranchAsOf>();

        /// <summary>Tags deleted because their commit is later than the moment.</summary>
        public List<string> DeletedTags { get; set; } = new List<string>();

        /// <summary>Every difference found by the verification.</summary>
        public List<string> Differences { get; set; } = new List<string>();

        /// <summary>The server or data directory restored into.</summary>
        public string Target { get; set; }

        /// <summary>How long it took.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>What went wrong, when it did.</summary>
        public string Error { get; set; }

        /// <summary>The ErrorRecord id stem of the error.</summary>
        public string ErrorId { get; set; }

        /// <summary>The backup URL restored from.</summary>
        public string SourceUrl { get; set; }

        /// <summary>The error's category (not shown in output).</summary>
        internal System.Management.Automation.ErrorCategory ErrorCategory { get; set; } = System.Management.Automation.ErrorCategory.NotSpecified;

        /// <summary>What to do about the error (not shown in output).</summary>
        internal string RecommendedAction { get; set; }

        /// <inheritdoc />
        public override string ToString() => TargetName + " as of " + AsOfUtc.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ": " + Status + " (" + Verification + ")";
    }
}
