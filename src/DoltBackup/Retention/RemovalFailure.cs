using System;
using System.Management.Automation;

namespace DoltBackup.Retention
{
    /// <summary>Why deleting a set failed, in the shape of a DoltBackup ErrorRecord.</summary>
    public sealed class RemovalFailure
    {
        internal RemovalFailure(string errorId, ErrorCategory category, Exception exception, string recommendedAction)
        {
            ErrorId = errorId;
            Category = category;
            Exception = exception;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The error id without the DoltBackup. prefix, for example SnapshotServiceUnavailable.</summary>
        public string ErrorId { get; }

        /// <summary>The error category.</summary>
        public ErrorCategory Category { get; }

        /// <summary>What went wrong.</summary>
        public Exception Exception { get; }

        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; }
    }
}
