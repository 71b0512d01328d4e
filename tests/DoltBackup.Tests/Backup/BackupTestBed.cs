using System;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Backup
{
    /// <summary>A fake server with N databases and a temp destination folder.</summary>
    public sealed class BackupTestBed : IDisposable
    {
        public BackupTestBed(int databases = 3)
        {
            Engine = new FakeDoltEngine();
            for (int i = 1; i <= databases; i++)
            {
                Engine.AddDatabase("db" + i.ToString("D3"), "dev");
            }
            Dir = new TempDir();
        }

        public FakeDoltEngine Engine { get; }
        public TempDir Dir { get; }
        public string BaseUrl => BackupUrls.ToFileUrl(Dir.Combine("dest"));

        public NewBackupRequest Request(Action<NewBackupRequest> tweak = null)
        {
            var r = new NewBackupRequest { Name = "nightly", BaseUrl = BaseUrl, Source = new BackupSource { Server = "fake", Port = 3306 } };
            tweak?.Invoke(r);
            return r;
        }

        public BackupPlan Plan(NewBackupRequest request) => new BackupRegistrationService(Engine).PlanAsync(request, CancellationToken.None).GetAwaiter().GetResult();

        /// <summary>Plans and applies every database without problems; writes the manifest; returns it.</summary>
        public BackupManifest Register(NewBackupRequest request = null)
        {
            var service = new BackupRegistrationService(Engine);
            var plan = service.PlanAsync(request ?? Request(), CancellationToken.None).GetAwaiter().GetResult();
            foreach (var p in plan.Databases.Where(p => p.Problem == null))
            {
                service.ApplyAsync(p, CancellationToken.None).GetAwaiter().GetResult();
            }
            plan.Manifest.Databases = plan.Databases.Where(p => p.Problem == null).Select(p => p.Item).ToList();
            ManifestStore.Write(plan.Manifest);
            return plan.Manifest;
        }

        public void Dispose() => Dir.Dispose();
    }
}
