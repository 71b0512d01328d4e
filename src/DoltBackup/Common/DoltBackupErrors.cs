using System;
using System.Management.Automation;

namespace DoltBackup.Common
{
    /// <summary>
    /// Builds the module's ErrorRecords: a stable id (DoltBackup.&lt;What&gt;), a category, the target, and a
    /// recommended action that tells the user what to do.
    /// </summary>
    public static class DoltBackupErrors
    {
        /// <summary>Creates an ErrorRecord whose ErrorDetails carry the message and a recommended action.</summary>
        public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object target, string recommendedAction)
        {
            var record = new ErrorRecord(exception, "DoltBackup." + errorId, category, target);
            record.ErrorDetails = new ErrorDetails(exception.Message);
            if (!string.IsNullOrEmpty(recommendedAction))
            {
                record.ErrorDetails.RecommendedAction = recommendedAction;
            }
            return record;
        }

        /// <summary>Creates an ErrorRecord from a message.</summary>
        public static ErrorRecord Create(string message, string errorId, ErrorCategory category, object target, string recommendedAction)
            => Create(new DoltBackupException(message), errorId, category, target, recommendedAction);
    }

    /// <summary>An error raised by DoltBackup's own checks (as opposed to one from Dolt, the network or the disk).</summary>
    public class DoltBackupException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public DoltBackupException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }
}
