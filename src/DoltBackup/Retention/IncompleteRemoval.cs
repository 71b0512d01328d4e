using System;

namespace DoltBackup.Retention
{
    /// <summary>What happened to an incomplete set (a set folder without manifest.json) Remove-DoltBackup was given.</summary>
    public enum IncompleteRemovalOutcome
    {
        /// <summary>Every file under the set's folder or prefix is gone.</summary>
        Deleted,
        /// <summary>A writer holds the set's lock: a backup or upload is under way.</summary>
        Locked,
        /// <summary>The set has a manifest.json now (its upload finished): it is a set, not garbage.</summary>
        HasManifest,
        /// <summary>Its newest file is younger than the safety age: it may still be being written.</summary>
        TooYoung,
        /// <summary>The folder or prefix holds nothing any more.</summary>
        Missing,
        /// <summary>The local set folder is a link to a folder elsewhere: not a set folder, and never followed.</summary>
        NotAFolder,
        /// <summary>
        /// The local folder holds a Dolt store (a <c>.dolt</c> folder or a store's <c>manifest</c> file): it may be a
        /// set's data kept apart from its manifest.json (a <c>-Destination</c> beside <c>-Path</c>), never deleted as
        /// an incomplete set.
        /// </summary>
        HoldsDoltStore,
    }

    /// <summary>The outcome of deleting one incomplete set, and what it saw.</summary>
    public sealed class IncompleteRemoval
    {
        internal IncompleteRemoval(IncompleteRemovalOutcome outcome, int deleted = 0, DateTime? newestUtc = null)
        {
            Outcome = outcome;
            ObjectsDeleted = deleted;
            NewestUtc = newestUtc;
        }

        /// <summary>What happened.</summary>
        public IncompleteRemovalOutcome Outcome { get; }

        /// <summary>Files or objects deleted (lock included).</summary>
        public int ObjectsDeleted { get; }

        /// <summary>The newest file's write time seen under the lock (the lock file left out).</summary>
        public DateTime? NewestUtc { get; }

        /// <summary>True when <paramref name="newestUtc"/> is at least <paramref name="minimumAge"/> before <paramref name="nowUtc"/> (an unknown time is never old enough).</summary>
        internal static bool OldEnough(DateTime? newestUtc, TimeSpan minimumAge, DateTime nowUtc) => newestUtc.HasValue && nowUtc - newestUtc.Value >= minimumAge;

        /// <summary>The reason text for a removal result.</summary>
        public string Describe(TimeSpan minimumAge, DateTime nowUtc)
        {
            switch (Outcome)
            {
                case IncompleteRemovalOutcome.Deleted:
                    return $"incomplete set (no manifest.json): deleted {ObjectsDeleted} files";
                case IncompleteRemovalOutcome.Locked:
                    return "a writer holds the set's lock: a backup or upload is under way";
                case IncompleteRemovalOutcome.HasManifest:
                    return "it has a manifest.json now (its upload finished): read it again with Get-DoltBackup";
                case IncompleteRemovalOutcome.TooYoung:
                    return NewestUtc.HasValue
                        ? $"its newest file was written {Age(nowUtc - NewestUtc.Value)} ago, less than the safety age {Age(minimumAge)} (-IncompleteMinimumAge): it may still be being written"
                        : "the storage gave no write time for its files, so it cannot be shown old enough";
                case IncompleteRemovalOutcome.NotAFolder:
                    return "it is a link to a folder elsewhere, not a set folder: neither the link nor what it points at was deleted";
                case IncompleteRemovalOutcome.HoldsDoltStore:
                    return "it holds a Dolt store (a .dolt folder or a store's manifest file), which may be a set's data kept apart from its manifest.json: not deleted; if it is garbage, check it and delete it by hand";
                default:
                    return "it holds no file any more";
            }
        }

        private static string Age(TimeSpan t) => t.TotalHours >= 1 ? $"{Math.Floor(t.TotalHours):0}h {t.Minutes}m" : $"{Math.Max(0, t.Minutes)}m {Math.Max(0, t.Seconds)}s";
    }
}
