using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Backup;
using DoltBackup.DoltStore;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>
    /// What a point-in-time restore of one database would do to its branches and tags, read from the backup store
    /// offline (for -WhatIf and -Confirm), or why the store cannot be read that way. Nothing is written anywhere.
    /// </summary>
    public sealed class PointInTimePreview
    {
        /// <summary>The default branch assumed: the one a restored database checks out (Dolt's init default).</summary>
        public const string AssumedDefaultBranch = "main";

        /// <summary>The plan, when the store could be read.</summary>
        public PointInTimeDatabasePlan Plan { get; private set; }

        /// <summary>Why the store could not be read offline (then <see cref="Plan"/> is null).</summary>
        public string Unreadable { get; private set; }

        /// <summary>Where the store's heads differ from the set's manifest (the restore would stop at its verification).</summary>
        public List<string> HeadDifferences { get; } = new List<string>();

        /// <summary>Commits read to make the plan.</summary>
        public int CommitsRead { get; private set; }

        /// <summary>Chunks read to make the plan (root, ref map, tags, commits).</summary>
        public int ChunksRead { get; private set; }

        /// <summary>Chunks in the store.</summary>
        public long StoreChunks { get; private set; }

        /// <summary>Reads the chosen set's store (a file:// store on this machine, also one an object-store set was fetched into) and plans as the restore would.</summary>
        public static PointInTimePreview Read(PointInTimeSetChoice choice, PointInTimeOptions options)
        {
            string url = choice.Item?.Url ?? "";
            if (!BackupUrls.IsFile(url))
            {
                string scheme = BackupUrls.Scheme(url);
                return new PointInTimePreview { Unreadable = scheme.Length == 0 ? $"its store '{url}' is not a URL" : $"its store {url} is a remote ({scheme}://), read only by Dolt when it restores" };
            }
            if (!url.StartsWith("file:///", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("file://localhost/", StringComparison.OrdinalIgnoreCase))
            {
                return new PointInTimePreview { Unreadable = $"its store {url} is a relative path, which only the Dolt server resolves" };
            }
            string dir = BackupUrls.LocalPath(url);
            if (!Directory.Exists(dir))
            {
                return new PointInTimePreview { Unreadable = $"its store {dir} is not on this machine (the Dolt server reads it from its own file system)" };
            }
            try
            {
                using (var history = DoltStoreHistory.Open(dir))
                {
                    var preview = new PointInTimePreview();
                    var heads = PointInTimeStorePlanner.Heads(history);
                    HeadsVerifier.Verify(choice.Item, new RestoredDatabaseState { Branches = heads.Branches, Tags = heads.Tags }, preview.HeadDifferences);
                    string defaultBranch = history.Branches.ContainsKey(AssumedDefaultBranch) ? AssumedDefaultBranch : null;
                    preview.Plan = PointInTimeStorePlanner.Plan(history, defaultBranch, options.MomentUtc, options.Commit, choice.BranchesSeenBefore);
                    preview.CommitsRead = history.CommitsRead;
                    preview.ChunksRead = history.ChunksRead;
                    preview.StoreChunks = history.StoreChunkCount;
                    return preview;
                }
            }
            catch (DoltStoreFormatException e)
            {
                return new PointInTimePreview { Unreadable = $"its store {dir} is not one this module can read offline: {e.Message.TrimEnd('.')}" };
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return new PointInTimePreview { Unreadable = $"its store {dir} could not be read: {e.Message.TrimEnd('.')}" };
            }
        }

        /// <summary>The preview as text for -WhatIf: one line per branch, then the tags deleted.</summary>
        public string Describe()
        {
            if (Plan == null)
            {
                return "The commit each branch would move to cannot be shown: the backup store could not be read without restoring it: " + Unreadable
                       + ". The restore chooses the commits from the restored copy (dolt_log)";
            }
            var text = new StringBuilder();
            if (Plan.ErrorId != null)
            {
                text.Append("The restore would stop here and restore nothing: ").Append(Plan.Error);
                return text.ToString();
            }
            text.Append(string.Format(CultureInfo.InvariantCulture, "Per branch, as read from the backup store ({0} commits, {1} of its {2} chunks read; '{3}' taken as the default branch):",
                CommitsRead, ChunksRead, StoreChunks, AssumedDefaultBranch));
            foreach (var b in Plan.Branches)
            {
                text.Append(Environment.NewLine).Append("  ").Append(Line(b));
            }
            if (Plan.DeletedTags.Count > 0)
            {
                text.Append(Environment.NewLine).Append("  tags deleted (their commit is later): ").Append(string.Join(", ", Plan.DeletedTags));
            }
            if (HeadDifferences.Count > 0)
            {
                text.Append(Environment.NewLine).Append("  The store's heads differ from the set's manifest, so the restore would stop at its verification: ").Append(string.Join("; ", HeadDifferences));
            }
            return text.ToString();
        }

        /// <summary>One branch's line: what happens, the commit, its date and its message.</summary>
        public static string Line(BranchAsOf b)
        {
            switch (b.Action)
            {
                case BranchAsOfAction.Deleted:
                    return $"{b.Branch}: deleted (it did not exist yet: all its own commits are later)";
                case BranchAsOfAction.Unresolved:
                    return $"{b.Branch}: UNRESOLVED, no commit at or before the moment on its line; left at {b.SetHead}";
                default:
                    string verb = b.Action == BranchAsOfAction.Moved ? "moves to" : "stays at";
                    return $"{b.Branch}: {verb} {b.Commit} ({PointInTimeCommitPlanner.Format(b.CommitDateUtc ?? DateTime.MinValue)}) \"{FirstLine(b.Message)}\"";
            }
        }

        private static string FirstLine(string message)
        {
            string m = (message ?? "").Split('\n')[0].TrimEnd('\r');
            return m.Length > 72 ? m.Substring(0, 69) + "..." : m;
        }
    }
}
