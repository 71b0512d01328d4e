using System;
using System.Management.Automation;
using DoltBackup.Ebs;

namespace DoltBackup.Restore
{
    /// <summary>How <see cref="EbsSetRestore"/> talks to its caller (a cmdlet, or a test): all called on the caller's thread.</summary>
    public sealed class EbsRestoreCallbacks
    {
        /// <summary>Asks before anything is created (target, action); false: nothing is created (-WhatIf, a "no").</summary>
        public Func<string, string, bool> ShouldProcess { get; set; } = (target, action) => true;
        /// <summary>Progress of the restore (the last report is Completed).</summary>
        public Action<EbsProgress> Progress { get; set; } = p => { };
        /// <summary>Verbose text.</summary>
        public Action<string> Verbose { get; set; } = t => { };
        /// <summary>One result per volume.</summary>
        public Action<RestoredVolume> Result { get; set; } = r => { };
        /// <summary>A non-terminating error (the set, or one volume).</summary>
        public Action<ErrorRecord> Error { get; set; } = e => { };
    }
}
