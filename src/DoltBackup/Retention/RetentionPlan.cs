using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Retention
{
    /// <summary>A decision for every set considered, newest first within each backup name.</summary>
    public sealed class RetentionPlan
    {
        internal RetentionPlan(IReadOnlyList<RetentionDecision> decisions) => Decisions = decisions;

        /// <summary>Every decision.</summary>
        public IReadOnlyList<RetentionDecision> Decisions { get; }

        /// <summary>The sets to delete.</summary>
        public IEnumerable<RetentionDecision> ToDelete => Decisions.Where(d => d.Action == RetentionAction.Delete);

        /// <summary>The sets to keep.</summary>
        public IEnumerable<RetentionDecision> ToKeep => Decisions.Where(d => d.Action == RetentionAction.Keep);
    }
}
