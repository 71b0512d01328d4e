using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// The proof of a restore: every branch head and tag recorded in the manifest, and <c>dolt_hashof_db()</c>, compared
    /// with the restored database. A branch or tag that is missing, extra or at another commit is a difference.
    /// </summary>
    public static class HeadsVerifier
    {
        /// <summary>Compares; returns NotChecked when the manifest records nothing to compare with.</summary>
        public static VerificationOutcome Verify(DatabaseBackupItem expected, RestoredDatabaseState actual, List<string> differences)
        {
            if (expected == null || actual == null
                || ((expected.Branches == null || expected.Branches.Count == 0) && string.IsNullOrEmpty(expected.WorkingSetHash)))
            {
                return VerificationOutcome.NotChecked;
            }
            int before = differences.Count;
            CompareRefs("branch", expected.Branches, actual.Branches, differences);
            CompareRefs("tag", expected.Tags, actual.Tags, differences);
            if (!string.IsNullOrEmpty(expected.WorkingSetHash) && !string.Equals(expected.WorkingSetHash, actual.WorkingSetHash, StringComparison.Ordinal))
            {
                differences.Add($"dolt_hashof_db() is {actual.WorkingSetHash ?? "(none)"}, the manifest says {expected.WorkingSetHash}");
            }
            return differences.Count == before ? VerificationOutcome.Verified : VerificationOutcome.Mismatch;
        }

        private static void CompareRefs(string what, List<RefHead> expected, List<RefHead> actual, List<string> differences)
        {
            var want = (expected ?? new List<RefHead>()).Where(r => r?.Name != null).GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Hash, StringComparer.Ordinal);
            var have = (actual ?? new List<RefHead>()).Where(r => r?.Name != null).GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Hash, StringComparer.Ordinal);
            foreach (var kv in want.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                if (!have.TryGetValue(kv.Key, out string hash))
                {
                    differences.Add($"{what} '{kv.Key}' is missing (the manifest says {kv.Value})");
                }
                else if (!string.Equals(hash, kv.Value, StringComparison.Ordinal))
                {
                    differences.Add($"{what} '{kv.Key}' is at {hash}, the manifest says {kv.Value}");
                }
            }
            foreach (var kv in have.Where(h => !want.ContainsKey(h.Key)).OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                differences.Add($"{what} '{kv.Key}' ({kv.Value}) is not in the manifest");
            }
        }
    }
}
