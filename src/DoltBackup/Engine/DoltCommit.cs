using System;
using System.Collections.Generic;

namespace DoltBackup.Engine
{
    /// <summary>
    /// One row of <c>dolt_log('--parents', branch)</c>: a commit, its parents (the first is the branch's own line) and its
    /// committer date. The date is what the client that made the commit said (<c>dolt_commit('--date', ...)</c> sets it):
    /// Dolt's <c>date</c> column, the committer date, in UTC.
    /// </summary>
    public sealed class DoltCommit
    {
        /// <summary>Creates a commit row.</summary>
        public DoltCommit(string hash, IReadOnlyList<string> parents, DateTime dateUtc, string committer, string message)
        {
            Hash = hash ?? throw new ArgumentNullException(nameof(hash));
            Parents = parents ?? Array.Empty<string>();
            DateUtc = DateTime.SpecifyKind(dateUtc, DateTimeKind.Utc);
            Committer = committer;
            Message = message;
        }

        /// <summary>The commit hash (32 base32 characters).</summary>
        public string Hash { get; }

        /// <summary>The parent hashes, first parent first; empty for the database's first commit.</summary>
        public IReadOnlyList<string> Parents { get; }

        /// <summary>The committer date (UTC), as <c>dolt_log</c>'s <c>date</c> column reports it.</summary>
        public DateTime DateUtc { get; }

        /// <summary>The committer's name.</summary>
        public string Committer { get; }

        /// <summary>The commit message.</summary>
        public string Message { get; }

        /// <summary>The <c>parents</c> column of <c>dolt_log('--parents')</c>: hashes joined by ", " (empty for a root commit).</summary>
        public static IReadOnlyList<string> ParseParents(string column)
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                return Array.Empty<string>();
            }
            var list = new List<string>();
            foreach (var part in column.Split(','))
            {
                string p = part.Trim();
                if (p.Length > 0)
                {
                    list.Add(p);
                }
            }
            return list;
        }

        /// <inheritdoc />
        public override string ToString() => Hash + " " + DateUtc.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
    }
}
