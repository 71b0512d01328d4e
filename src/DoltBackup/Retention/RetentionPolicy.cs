using System;
using System.Collections.Generic;
using System.Globalization;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Which backup sets to keep: the newest N Completed sets (<see cref="KeepLast"/>), every Completed set inside a
    /// time window plus the one older set the window still needs (<see cref="OlderThan"/>), or both (a set is kept
    /// when either rule keeps it, as restic combines its --keep-* options).
    /// </summary>
    public sealed class RetentionPolicy
    {
        /// <summary>Keep the newest N Completed sets of each backup name (N at least 1).</summary>
        public int? KeepLast { get; set; }

        /// <summary>Delete sets older than this (measured from now), keeping the restore point the window needs.</summary>
        public TimeSpan? OlderThan { get; set; }

        /// <summary>True when neither rule is set.</summary>
        public bool IsEmpty => !KeepLast.HasValue && !OlderThan.HasValue;

        /// <summary>Throws <see cref="ArgumentException"/> for a rule that could delete everything.</summary>
        public void Validate()
        {
            if (KeepLast.HasValue && KeepLast.Value < 1)
            {
                throw new ArgumentException("-KeepLast must be at least 1: the newest Completed set is never deleted.");
            }
            if (OlderThan.HasValue && OlderThan.Value <= TimeSpan.Zero)
            {
                throw new ArgumentException("-OlderThan must be a positive time span, for example (New-TimeSpan -Days 30).");
            }
        }

        /// <inheritdoc />
        public override string ToString()
        {
            var parts = new List<string>();
            if (KeepLast.HasValue)
            {
                parts.Add("-KeepLast " + KeepLast.Value.ToString(CultureInfo.InvariantCulture));
            }
            if (OlderThan.HasValue)
            {
                parts.Add("-OlderThan " + OlderThan.Value.ToString("c", CultureInfo.InvariantCulture));
            }
            return parts.Count == 0 ? "(no policy)" : string.Join(" ", parts);
        }
    }
}
