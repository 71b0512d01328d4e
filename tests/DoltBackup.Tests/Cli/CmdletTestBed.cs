using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Cli
{
    /// <summary>A fake server registered under a fresh host name, a temp folder, and a hosted PowerShell.</summary>
    public sealed class CmdletTestBed : IDisposable
    {
        public const string Password = "Pa55-SECRET-8c1f!";

        public CmdletTestBed(int databases = 3)
        {
            Engine = new FakeDoltEngine();
            for (int i = 1; i <= databases; i++)
            {
                Engine.AddDatabase("db" + i, "dev");
            }
            Host = FakeServers.Register(Engine);
            Dir = new TempDir();
            Shell = new PowerShellHost();
        }

        public FakeDoltEngine Engine { get; }
        public string Host { get; }
        public TempDir Dir { get; }
        public PowerShellHost Shell { get; }
        public string Dest => Dir.Combine("dest");

        public PSCredential Credential()
        {
            var s = new SecureString();
            foreach (char c in Password)
            {
                s.AppendChar(c);
            }
            return new PSCredential("backup_admin", s);
        }

        /// <summary>Every file under the temp folder, as text.</summary>
        public string AllFileText()
        {
            var sb = new System.Text.StringBuilder();
            foreach (var f in Directory.GetFiles(Dir.Path, "*", SearchOption.AllDirectories))
            {
                sb.Append(File.ReadAllText(f));
            }
            return sb.ToString();
        }

        public void Dispose()
        {
            Shell.Dispose();
            Dir.Dispose();
        }
    }
}
