using System;
using System.Linq;

namespace DoltBackup.Manifest
{
    /// <summary>
    /// What a manifest says about the copies of its set off the host (a staged set's object-store destination, a
    /// -CopyTo root): one entry in <see cref="BackupManifest.Errors"/> per copy that is not known to be whole. An upload
    /// starts by recording <see cref="PendingErrorId"/> (so a run that dies midway never leaves the local manifest
    /// Completed), and ends by removing it (success) or replacing it by <see cref="FailedErrorId"/>. Either entry keeps
    /// the set from being Completed. The entries survive the next sync's fresh start (the copy is still what it was)
    /// and go only when an upload to that target succeeds. The copy uploaded as manifest.json carries none of them: a
    /// reader of that copy sees the set as it is there, whole.
    /// </summary>
    public static class UploadRecord
    {
        /// <summary>The ErrorId of an upload that started and has not finished.</summary>
        public const string PendingErrorId = "DoltBackup.UploadPending";

        /// <summary>The ErrorId of an upload that failed.</summary>
        public const string FailedErrorId = "DoltBackup.UploadFailed";

        /// <summary>True for an entry this class writes.</summary>
        public static bool IsUploadEntry(BackupError error) => error != null && (error.ErrorId == PendingErrorId || error.ErrorId == FailedErrorId);

        /// <summary>Records that the upload of the set to <paramref name="target"/> has started.</summary>
        public static void Pending(BackupManifest manifest, string target)
        {
            Replace(manifest, target, PendingErrorId,
                $"The upload of the backup set to {target} has started and not finished: the copy there may be the previous set or incomplete.");
        }

        /// <summary>Records that the upload of the set to <paramref name="target"/> failed, and why (no secret in <paramref name="why"/>).</summary>
        public static void Failed(BackupManifest manifest, string target, string why)
        {
            Replace(manifest, target, FailedErrorId,
                $"The upload of the backup set to {target} failed: {why} The copy there is the previous set (or none); run Sync-DoltBackup again to upload it.");
        }

        /// <summary>Records that the set is whole at <paramref name="target"/>.</summary>
        public static void Succeeded(BackupManifest manifest, string target)
        {
            manifest.Errors.RemoveAll(e => IsUploadEntry(e) && SameTarget(e.Target, target));
            manifest.RefreshStatus();
        }

        /// <summary>Clears the set's errors at the start of a sync, keeping the upload entries (the copies off the host are unchanged by a sync).</summary>
        public static void ClearErrorsKeepingUploads(BackupManifest manifest) => manifest.Errors.RemoveAll(e => !IsUploadEntry(e));

        /// <summary>
        /// True when every item of the set completed and the only errors are upload entries: the set itself is whole
        /// and only a copy off the host is missing.
        /// </summary>
        public static bool OnlyUploadsMissing(BackupManifest manifest)
        {
            var states = manifest.Databases.Select(d => d.Status).Concat(manifest.Artifacts.Select(a => a.Status)).Concat(manifest.Snapshots.Select(s => s.Status)).ToList();
            return states.Count > 0 && states.All(s => s == ItemStatus.Completed) && manifest.Errors.Count > 0 && manifest.Errors.All(IsUploadEntry);
        }

        /// <summary>The manifest.json text to upload: the manifest without upload entries, its status recomputed.</summary>
        public static string JsonAsUploaded(BackupManifest manifest)
        {
            var copy = ManifestStore.FromJson(ManifestStore.ToJson(manifest));
            copy.Errors.RemoveAll(IsUploadEntry);
            copy.RefreshStatus();
            copy.ModuleVersion = copy.ModuleVersion ?? Common.ModuleInfo.Version;
            return ManifestStore.ToJson(copy);
        }

        private static void Replace(BackupManifest manifest, string target, string errorId, string message)
        {
            manifest.Errors.RemoveAll(e => IsUploadEntry(e) && SameTarget(e.Target, target));
            manifest.AddError(target, errorId, message);
            manifest.RefreshStatus();
        }

        private static bool SameTarget(string a, string b) => string.Equals((a ?? "").TrimEnd('/'), (b ?? "").TrimEnd('/'), StringComparison.Ordinal);
    }
}
