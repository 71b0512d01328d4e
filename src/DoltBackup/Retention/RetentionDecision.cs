using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>One set of a retention plan: keep or delete, and why.</summary>
    public sealed class RetentionDecision
    {
        internal RetentionDecision(BackupManifest set, RetentionAction action, string reason, bool locked = false)
        {
            Set = set;
            Action = action;
            Reason = reason;
            Locked = locked;
        }

        /// <summary>The backup set.</summary>
        public BackupManifest Set { get; }

        /// <summary>Keep or delete.</summary>
        public RetentionAction Action { get; }

        /// <summary>Why, in words a user can check against the policy.</summary>
        public string Reason { get; }

        /// <summary>True when the policy would delete the set but a sync holds its lock, so it is kept.</summary>
        public bool Locked { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Set.Id}: {Action} ({Reason})";
    }
}
