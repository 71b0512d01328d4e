using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// A minimal PSHost whose console is a string buffer, so tests can render objects with Out-Default (the
    /// formatting engine and the module's format views) and read what a user would see. Non-interactive: prompts fail.
    /// </summary>
    public sealed class CapturingHost : PSHost
    {
        private readonly CapturingUI _ui;

        /// <param name="width">The console's width in columns (what the formatter fits tables into).</param>
        public CapturingHost(int width = 220)
        {
            _ui = new CapturingUI(width);
        }

        public string Text => _ui.Buffer.ToString();

        public void Clear() => _ui.Buffer.Clear();

        public override string Name => "DoltBackupTestHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }

        private sealed class CapturingUI : PSHostUserInterface
        {
            public readonly StringBuilder Buffer = new StringBuilder();
            private readonly CapturingRawUI _raw;
            public CapturingUI(int width) { _raw = new CapturingRawUI(width); }
            public override PSHostRawUserInterface RawUI => _raw;
            public override string ReadLine() => throw new PSInvalidOperationException("The test host cannot prompt.");
            public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("The test host cannot prompt.");
            public override void Write(string value) => Buffer.Append(value);
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Buffer.Append(value);
            public override void WriteLine(string value) => Buffer.AppendLine(value);
            public override void WriteErrorLine(string value) => Buffer.AppendLine(value);
            public override void WriteDebugLine(string message) => Buffer.AppendLine("DEBUG: " + message);
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override void WriteVerboseLine(string message) => Buffer.AppendLine("VERBOSE: " + message);
            public override void WriteWarningLine(string message) => Buffer.AppendLine("WARNING: " + message);
            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new PSInvalidOperationException("The test host cannot prompt.");
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new PSInvalidOperationException("The test host cannot prompt.");
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new PSInvalidOperationException("The test host cannot prompt.");
            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new PSInvalidOperationException("The test host cannot prompt.");
        }

        private sealed class CapturingRawUI : PSHostRawUserInterface
        {
            public CapturingRawUI(int width)
            {
                BufferSize = new Size(width, 3000);
                WindowSize = new Size(width, 3000);
            }

            public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
            public override Size BufferSize { get; set; }
            public override Coordinates CursorPosition { get; set; }
            public override int CursorSize { get; set; }
            public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;
            public override bool KeyAvailable => false;
            public override Size MaxPhysicalWindowSize => new Size(220, 3000);
            public override Size MaxWindowSize => new Size(220, 3000);
            public override Coordinates WindowPosition { get; set; }
            public override Size WindowSize { get; set; }
            public override string WindowTitle { get; set; } = "";
            public override void FlushInputBuffer() { }
            public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
            public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
            public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
            public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
            public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
        }
    }
}
