using System;

namespace DoltBackup.Verification
{
    /// <summary>What every file check of one store shares: its target name, the options and where results go.</summary>
    internal sealed class StoreCheckContext
    {
        public StoreCheckContext(string target, VerificationOptions options, Action<VerificationResult> emit)
        {
            Target = target;
            Options = options;
            Emit = emit;
        }

        public string Target { get; }
        public VerificationOptions Options { get; }
        public Action<VerificationResult> Emit { get; }

        public void Passed(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Emit(new VerificationResult(Target, check, VerificationStatus.Passed, message, level, path));

        public void Failed(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Emit(new VerificationResult(Target, check, VerificationStatus.Failed, message, level, path));

        public void Skipped(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Emit(new VerificationResult(Target, check, VerificationStatus.Skipped, message, level, path));

        public void Info(string check, string message, string path, VerificationLevel level = VerificationLevel.Structure)
            => Emit(new VerificationResult(Target, check, VerificationStatus.Info, message, level, path));
    }
}
