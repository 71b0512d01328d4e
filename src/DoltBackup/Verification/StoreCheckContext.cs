using System;
using System.Collections.Generic;

namespace DoltBackup.Verification
{
    /// <summary>
    /// What every file check of one store shares: its target name, the options and where results go. A check whose
    /// verdict needs the store's NBS manifest (chunk counts, the root) asks for it through <see cref="WhenManifestKnown"/>:
    /// on a folder the manifest is read first and the report runs at once; inside an archive the manifest may come
    /// after the file, so the file's results are held (<see cref="Deferred"/>) and released in order by
    /// <see cref="Release"/> once the manifest has been read, or dropped when the manifest does not reference the file.
    /// </summary>
    internal sealed class StoreCheckContext
    {
        private Action<VerificationResult> _sink;
        private List<(VerificationResult Result, Action<NbsTableSpec, NbsManifest> Report)> _held;
        private NbsTableSpec _spec;
        private NbsManifest _manifest;

        public StoreCheckContext(string target, VerificationOptions options, Action<VerificationResult> emit)
        {
            Target = target;
            Options = options;
            _sink = emit;
        }

        /// <summary>A context for one file whose manifest entry is known: every result goes out at once.</summary>
        public StoreCheckContext ForFile(NbsTableSpec spec, NbsManifest manifest)
            => new StoreCheckContext(Target, Options, _sink) { _spec = spec, _manifest = manifest };

        /// <summary>A context for one file read before its manifest: results are held until <see cref="Release"/>.</summary>
        public static StoreCheckContext Deferred(string target, VerificationOptions options)
            => new StoreCheckContext(target, options, null) { _held = new List<(VerificationResult, Action<NbsTableSpec, NbsManifest>)>() };

        public string Target { get; }
        public VerificationOptions Options { get; }

        /// <summary>Where results go.</summary>
        public Action<VerificationResult> Emit => Send;

        /// <summary>Runs a report that needs the manifest: now when it is known, else when the results are released.</summary>
        public void WhenManifestKnown(Action<NbsTableSpec, NbsManifest> report)
        {
            if (_held != null)
            {
                _held.Add((null, report));
            }
            else
            {
                report(_spec, _manifest);
            }
        }

        /// <summary>Sends the held results, in order, and runs the held reports with the file's manifest entry.</summary>
        public void Release(NbsTableSpec spec, NbsManifest manifest, Action<VerificationResult> emit)
        {
            var held = _held;
            _held = null;
            _spec = spec;
            _manifest = manifest;
            _sink = emit;
            foreach (var (result, report) in held ?? new List<(VerificationResult, Action<NbsTableSpec, NbsManifest>)>())
            {
                if (result != null)
                {
                    emit(result);
                }
                else
                {
                    report(spec, manifest);
                }
            }
        }

        private void Send(VerificationResult result)
        {
            if (_held != null)
            {
                _held.Add((result, null));
            }
            else
            {
                _sink(result);
            }
        }

        public void Passed(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Send(new VerificationResult(Target, check, VerificationStatus.Passed, message, level, path));

        public void Failed(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Send(new VerificationResult(Target, check, VerificationStatus.Failed, message, level, path));

        public void Skipped(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Send(new VerificationResult(Target, check, VerificationStatus.Skipped, message, level, path));

        public void Info(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Send(new VerificationResult(Target, check, VerificationStatus.Info, message, level, path));
    }
}
