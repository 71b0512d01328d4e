using System;
using System.Management.Automation;
using DoltBackup.Common;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// An EBS step that cannot go on: a path not on EBS, a missing permission, a snapshot in state error. Carries the
    /// ErrorRecord id (without the DoltBackup. prefix), category and a recommended action, so a cmdlet reports it with
    /// <see cref="ToErrorRecord"/>. Messages never contain credentials.
    /// </summary>
    public sealed class EbsException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public EbsException(string errorId, ErrorCategory category, string message, string recommendedAction, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The error id without the DoltBackup. prefix, for example EbsAccessDenied.</summary>
        public string ErrorId { get; }

        /// <summary>The PowerShell error category.</summary>
        public ErrorCategory Category { get; }

        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; }

        /// <summary>The AWS error code when EC2 answered with one (for example UnauthorizedOperation), else null.</summary>
        public string AwsErrorCode { get; internal set; }

        /// <summary>The ErrorRecord for a cmdlet: id DoltBackup.&lt;ErrorId&gt;, the category, the target, the recommended action.</summary>
        public ErrorRecord ToErrorRecord(object target) => DoltBackupErrors.Create(this, ErrorId, Category, target, RecommendedAction);
    }
}
