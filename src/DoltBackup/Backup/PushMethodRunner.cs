using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Method Push: dolt_push of every branch of each database to the named remote. Only committed data travels
    /// (a warning says so). A branch that fails does not stop the other branches; the database then fails, naming them.
    /// </summary>
    public sealed class PushMethodRunner : IBackupMethodRunner
    {
        /// <inheritdoc />
        public BackupMethod Method => BackupMethod.Push;

        /// <inheritdoc />
        public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
        {
            context.Warning(BackupRegistrationService.PushWarning);
            return context.RunItemsAsync((item, ct) => PushOneAsync(context, item, ct), cancellationToken);
        }

        private static async Task<ItemOutcome> PushOneAsync(SyncContext context, DatabaseBackupItem item, CancellationToken ct)
        {
            var engine = context.Engine;
            string remoteName = item.BackupName ?? context.Manifest.Source?.Remote;
            var remote = (await engine.ListRemotesAsync(item.Name, ct).ConfigureAwait(false)).FirstOrDefault(r => r.Name == remoteName);
            if (remote == null)
            {
                throw BackupFailures.RemoteMissing(item.Name, remoteName);
            }
            var state = await engine.GetDatabaseStateAsync(item.Name, ct).ConfigureAwait(false);
            var failures = new List<(string Branch, DoltEngineException Error)>();
            foreach (var branch in state.Branches)
            {
                try
                {
                    await engine.PushBranchAsync(item.Name, remoteName, branch.Name, ct).ConfigureAwait(false);
                }
                catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled && !e.IsConnectionLevel)
                {
                    failures.Add((branch.Name, e));
                }
            }
            if (failures.Count > 0)
            {
                var first = failures[0].Error;
                string detail = string.Join("; ", failures.Select(f => $"'{f.Branch}': {f.Error.Message}"));
                throw new DoltEngineException(first.Kind, $"Pushing '{item.Name}' to '{remoteName}' failed for {failures.Count} of {state.Branches.Count} branches: {detail}",
                    first.ErrorId, first.Category, first.RecommendedAction, first.DoltMessage, first);
            }
            return new ItemOutcome { State = state, Url = remote.Url };
        }
    }
}
