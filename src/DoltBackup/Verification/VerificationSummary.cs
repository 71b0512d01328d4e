using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Verification
{
    /// <summary>The counts of a verification run. Skipped checks are counted apart and never as passed.</summary>
    public sealed class VerificationSummary
    {
        /// <summary>What was verified (a backup set id or a path).</summary>
        public string Target { get; set; }
        /// <summary>Checks that passed.</summary>
        public int Passed { get; set; }
        /// <summary>Checks that failed.</summary>
        public int Failed { get; set; }
        /// <summary>Checks that could not run.</summary>
        public int Skipped { get; set; }
        /// <summary>Informational results.</summary>
        public int Info { get; set; }
        /// <summary>True when no check failed and at least one passed. Skipped checks do not make a run succeed.</summary>
        public bool Succeeded => Failed == 0 && Passed > 0;

        /// <summary>Counts a set of results.</summary>
        public static VerificationSummary From(string target, IEnumerable<VerificationResult> results)
        {
            var list = results.ToList();
            return new VerificationSummary
            {
                Target = target,
                Passed = list.Count(r => r.Status == VerificationStatus.Passed),
                Failed = list.Count(r => r.Status == VerificationStatus.Failed),
                Skipped = list.Count(r => r.Status == VerificationStatus.Skipped),
                Info = list.Count(r => r.Status == VerificationStatus.Info),
            };
        }

        /// <summary>Adds one result to the counts.</summary>
        public void Add(VerificationResult result)
        {
            switch (result.Status)
            {
                case VerificationStatus.Passed: Passed++; break;
                case VerificationStatus.Failed: Failed++; break;
                case VerificationStatus.Skipped: Skipped++; break;
                default: Info++; break;
            }
        }

        /// <inheritdoc />
        public override string ToString() => $"{Target}: {Passed} passed, {Failed} failed, {Skipped} skipped, {Info} info";
    }
}
