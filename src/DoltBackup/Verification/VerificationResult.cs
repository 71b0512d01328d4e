using System;

namespace DoltBackup.Verification
{
    /// <summary>One check of Test-DoltBackup: what was checked, how, and what it found.</summary>
    public sealed class VerificationResult
    {
        /// <summary>Creates a result.</summary>
        public VerificationResult(string target, string check, VerificationStatus status, string message, VerificationLevel level, string path = null)
        {
            Target = target;
            Check = check;
            Status = status;
            Message = message;
            Level = level;
            Path = path;
            TimeUtc = DateTime.UtcNow;
        }

        /// <summary>What the check is about: a database, a store, a backup set or an artifact.</summary>
        public string Target { get; }

        /// <summary>The check's name, for example TableFile.Footer or Journal.RecordCrc.</summary>
        public string Check { get; }

        /// <summary>Passed, Failed, Skipped (never counted as passed) or Info.</summary>
        public VerificationStatus Status { get; }

        /// <summary>What was found, in words.</summary>
        public string Message { get; }

        /// <summary>The level of check that produced the result.</summary>
        public VerificationLevel Level { get; }

        /// <summary>The file checked, when the check is about one file.</summary>
        public string Path { get; }

        /// <summary>When the check finished (UTC).</summary>
        public DateTime TimeUtc { get; }

        /// <summary>True when the status is Passed.</summary>
        public bool Passed => Status == VerificationStatus.Passed;

        /// <inheritdoc />
        public override string ToString() => $"{Status} {Target} {Check}: {Message}";
    }
}
