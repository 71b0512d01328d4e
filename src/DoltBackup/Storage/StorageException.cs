using System;
using System.Management.Automation;
using DoltBackup.Common;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A failure of a backup location: the ErrorId (StorageObjectNotFound, StorageContainerNotFound,
    /// StorageAccessDenied, StorageEndpointUnreachable, StorageUnknownScheme, StorageInvalidLocation,
    /// StorageUploadMismatch, StorageObjectTooLarge, StorageReadFailed, StorageFailed), the object it concerns and what to do. Its text never holds a secret.
    /// </summary>
    public sealed class StorageException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public StorageException(string errorId, ErrorCategory category, string target, string message, string recommendedAction, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorRecord id (without the "DoltBackup." prefix).</summary>
        public string ErrorId { get; }

        /// <summary>The ErrorRecord category.</summary>
        public ErrorCategory Category { get; }

        /// <summary>The object or location concerned (no secret).</summary>
        public string Target { get; }

        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; }

        /// <summary>The ErrorRecord for a cmdlet.</summary>
        public ErrorRecord ToErrorRecord() => DoltBackupErrors.Create(this, ErrorId, Category, Target, RecommendedAction);

        internal static StorageException NotFound(string display, string key) => new StorageException("StorageObjectNotFound", ErrorCategory.ObjectNotFound,
            Join(display, key), $"The object '{key}' does not exist in {display}.",
            "Check the location and the backup set name; a set listed in a manifest but missing objects is damaged: use another set.");

        internal static string Join(string display, string key) => string.IsNullOrEmpty(key) ? display : display.TrimEnd('/') + "/" + key;
    }
}
