using System;
using System.Management.Automation;
using DoltBackup.Common;

namespace DoltBackup.Cmdlets
{
    /// <summary>What every DoltBackup cmdlet shares: path resolution and error reporting.</summary>
    public abstract class DoltBackupCmdlet : PSCmdlet
    {
        /// <summary>Resolves a user path against the current PowerShell location (not the process directory).</summary>
        protected string ResolveUserPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>Writes a non-terminating error with a recommended action.</summary>
        protected void WriteDoltError(Exception exception, string errorId, ErrorCategory category, object target, string recommendedAction)
            => WriteError(DoltBackupErrors.Create(exception, errorId, category, target, recommendedAction));

        /// <summary>Stops the cmdlet with a terminating error and a recommended action.</summary>
        protected void ThrowDoltError(Exception exception, string errorId, ErrorCategory category, object target, string recommendedAction)
            => ThrowTerminatingError(DoltBackupErrors.Create(exception, errorId, category, target, recommendedAction));
    }
}
