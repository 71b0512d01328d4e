#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    public class NewSyncCmdletTests
    {
        private static BackupManifest Manifest(PSObject o) => (BackupManifest)o.BaseObject;

        /// <summary>A cmdlet's terminating error inside a script is statement-terminating: it lands in the error stream.</summary>
        private static ErrorRecord TheError(PowerShellResult r)
            => (r.Terminating as IContainsErrorRecord)?.ErrorRecord ?? Assert.Single(r.Errors);

        [Fact]
        public void New_piped_to_Sync_backs_up_every_database_with_the_credential_given_once()
        {
            using var bed = new CmdletTestBed(4);
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Credential $args[1] -Destination $args[2] -Verbose | Sync-DoltBackup -Verbose -ThrottleLimit 2",
                bed.Host, bed.Credential(), bed.Dest);
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var m = Manifest(r.Output.Single());
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(new[] { "db1", "db2", "db3", "db4" }, m.DatabaseNames);
            Assert.Equal(4, bed.Engine.CallsOf("sync").Count());
            Assert.Equal(BackupStatus.Completed, ManifestStore.Read(bed.Dest).Status);
            // Sync used the credential that New-DoltBackup was given: delivered, never re-typed.
            Assert.Equal(CmdletTestBed.Password, FakeServers.LastRequest(bed.Host).Server.Password);
            Assert.Equal("backup_admin", FakeServers.LastRequest(bed.Host).Server.UserName);
        }

        [Fact]
        public void The_password_appears_in_no_stream_and_no_file()
        {
            using var bed = new CmdletTestBed(3);
            bed.Engine.SyncFailures["db2"] = "something broke";
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Credential $args[1] -Destination $args[2] -Verbose | Sync-DoltBackup -Verbose | Format-List * | Out-String",
                bed.Host, bed.Credential(), bed.Dest);
            Assert.NotEmpty(r.Errors);
            string text = r.AllText() + string.Join("\n", r.Progress.Select(p => p.Activity + p.StatusDescription));
            Assert.DoesNotContain(CmdletTestBed.Password, text);
            Assert.DoesNotContain(CmdletTestBed.Password, bed.AllFileText());
            var json = bed.Shell.Run("New-DoltBackup -Server $args[0] -Credential $args[1] -Destination $args[2] | ConvertTo-Json -Depth 6", bed.Host, bed.Credential(), bed.Dest);
            Assert.DoesNotContain(CmdletTestBed.Password, json.AllText());
        }

        [Fact]
        public void WhatIf_on_New_registers_nothing_and_writes_nothing()
        {
            using var bed = new CmdletTestBed(3);
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] -WhatIf", bed.Host, bed.Dest);
            Assert.Null(r.Terminating);
            Assert.Empty(r.Output);
            Assert.Empty(bed.Engine.CallsOf("add"));
            Assert.False(Directory.Exists(bed.Dest));
        }

        [Fact]
        public void WhatIf_on_Sync_syncs_nothing_and_leaves_the_manifest_untouched()
        {
            using var bed = new CmdletTestBed(3);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] | Out-Null", bed.Host, bed.Dest);
            string manifestPath = Path.Combine(bed.Dest, "manifest.json");
            string before = File.ReadAllText(manifestPath);
            var r = bed.Shell.Run("Sync-DoltBackup -Path $args[0] -Server $args[1] -WhatIf", bed.Dest, bed.Host);
            Assert.Null(r.Terminating);
            Assert.Empty(r.Output);
            Assert.Empty(bed.Engine.CallsOf("sync"));
            Assert.Equal(before, File.ReadAllText(manifestPath));
            Assert.False(File.Exists(Path.Combine(bed.Dest, ".doltbackup.lock")));
        }

        [Fact]
        public void Each_failed_database_is_one_non_terminating_ErrorRecord_and_the_status_is_truthful()
        {
            using var bed = new CmdletTestBed(5);
            bed.Engine.SyncFailures["db2"] = "could not set destination root to the same value as this database's root.";
            bed.Engine.SyncFailures["db4"] = "`u`@`h` does not have the correct permissions on branch `main`";
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] | Sync-DoltBackup", bed.Host, bed.Dest);
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Errors.Count);
            Assert.Equal(new[] { "db2", "db4" }, r.Errors.Select(e => e.TargetObject?.ToString()).OrderBy(x => x));
            Assert.All(r.Errors, e => Assert.StartsWith("DoltBackup.", e.FullyQualifiedErrorId));
            Assert.All(r.Errors, e => Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction)));
            Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("DoltBackup.PrivilegeMissing") && e.CategoryInfo.Category == ErrorCategory.PermissionDenied);
            var m = Manifest(r.Output.Single());
            Assert.Equal(BackupStatus.PartiallyCompleted, m.Status);
            Assert.Contains(r.Warnings, w => w.Contains("PartiallyCompleted"));
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed && p.ParentActivityId < 0);
        }

        [Fact]
        public void Get_DoltBackup_piped_to_Sync_uses_the_recorded_source_with_Credential()
        {
            using var bed = new CmdletTestBed(2);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] | Out-Null", bed.Host, bed.Dest);
            var r = bed.Shell.Run("Get-DoltBackup $args[0] | Sync-DoltBackup -Credential $args[1]", bed.Dest, bed.Credential());
            Assert.Empty(r.Errors);
            Assert.Equal(BackupStatus.Completed, Manifest(r.Output.Single()).Status);
            var req = FakeServers.LastRequest(bed.Host);
            Assert.Equal(bed.Host, req.Server.Host);
            Assert.Equal(CmdletTestBed.Password, req.Server.Password);
        }

        [Fact]
        public void Sync_by_path_and_by_name()
        {
            using var bed = new CmdletTestBed(2);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] -Name nightly | Out-Null", bed.Host, bed.Dest);
            var byPath = bed.Shell.Run("Sync-DoltBackup -Path $args[0] -Server $args[1]", bed.Dest, bed.Host);
            Assert.Empty(byPath.Errors);
            Assert.Equal(BackupStatus.Completed, Manifest(byPath.Output.Single()).Status);
            var byName = bed.Shell.Run("Sync-DoltBackup -Server $args[0] -Name nightly -Database db2", bed.Host);
            Assert.Empty(byName.Errors);
            var m = Manifest(byName.Output.Single());
            Assert.Equal(ItemStatus.Completed, m.FindDatabase("db2").Status);
            Assert.Equal(ItemStatus.Skipped, m.FindDatabase("db1").Status);
            Assert.Equal(bed.Dest, m.BackupFolder);
        }

        [Fact]
        public void Rerunning_New_is_idempotent_and_a_conflict_is_an_error_for_that_database_only()
        {
            using var bed = new CmdletTestBed(3);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] | Out-Null", bed.Host, bed.Dest);
            int adds = bed.Engine.CallsOf("add").Count();
            bed.Engine.Databases["db3"].Backups["doltbackup"] = "file:///elsewhere/db3";
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1]", bed.Host, bed.Dest);
            Assert.Equal(adds, bed.Engine.CallsOf("add").Count());
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.BackupNameConflict", e.FullyQualifiedErrorId);
            Assert.Equal(new[] { "db1", "db2" }, Manifest(r.Output.Single()).DatabaseNames);
            var forced = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] -Force", bed.Host, bed.Dest);
            Assert.Empty(forced.Errors);
            Assert.Equal(3, Manifest(forced.Output.Single()).Databases.Count);
        }

        [Fact]
        public void Unsupported_scheme_and_misused_disk_methods_are_refused()
        {
            using var bed = new CmdletTestBed(1);
            // (s3:// and az:// are staged: see Storage/StagedDestinationTests.)
            var r = TheError(bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination 'ftp://bucket/x'", bed.Host));
            Assert.StartsWith("DoltBackup.InvalidArgument", r.FullyQualifiedErrorId);
            Assert.Contains("'ftp'", r.Exception.Message);
            Assert.Contains("az://", r.Exception.Message);
            var m = TheError(bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] -Method FileCopy", bed.Host, bed.Dest));
            // FileCopy works on -DataDir's files: a server and a destination URL are refused, not ignored.
            Assert.StartsWith("DoltBackup.InvalidArgument", m.FullyQualifiedErrorId);
            Assert.Contains("-Destination", m.Exception.Message);
            var gs = TheError(bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination gs://bucket/x", bed.Host));
            Assert.Contains("-Path", gs.Exception.Message);
            Assert.Empty(bed.Engine.CallsOf("add"));
        }

        [Fact]
        public void A_folder_holding_another_sets_manifest_is_not_overwritten()
        {
            using var bed = new CmdletTestBed(1);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] -Name first | Out-Null", bed.Host, bed.Dest);
            string before = File.ReadAllText(Path.Combine(bed.Dest, "manifest.json"));
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] -Name second -Path $args[2]", bed.Host, bed.Dir.Combine("other"), bed.Dest);
            var e = TheError(r);
            Assert.StartsWith("DoltBackup.BackupFolderInUse", e.FullyQualifiedErrorId);
            Assert.Equal(before, File.ReadAllText(Path.Combine(bed.Dest, "manifest.json")));
            Assert.DoesNotContain(bed.Engine.CallsOf("add"), c => c.Contains(" second "));
            Assert.Single(bed.Engine.CallsOf("add"));
        }

        [Fact]
        public void ConfigPath_gives_host_and_port_and_a_broken_config_is_a_clear_error()
        {
            using var bed = new CmdletTestBed(2);
            string cfg = bed.Dir.Combine("config.yaml");
            File.WriteAllText(cfg, $"listener:\n  host: {bed.Host}\n  port: 3310\nsome_future_key: 1\n");
            var r = bed.Shell.Run("New-DoltBackup -ConfigPath $args[0] -Destination $args[1] | Sync-DoltBackup", cfg, bed.Dest);
            Assert.Empty(r.Errors);
            Assert.Contains(r.Warnings, w => w.Contains("some_future_key"));
            var m = Manifest(r.Output.Single());
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(cfg, m.Source.ConfigPath);
            Assert.Equal(3310, m.Source.Port);
            Assert.Equal(3310, FakeServers.LastRequest(bed.Host).Server.Port);

            File.WriteAllText(cfg, "listener:\n  port: [unclosed\n");
            var bad = TheError(bed.Shell.Run("New-DoltBackup -ConfigPath $args[0] -Destination $args[1]", cfg, bed.Dest));
            Assert.StartsWith("DoltBackup.ConfigInvalid", bad.FullyQualifiedErrorId);
        }

        [Fact]
        public void Push_warns_that_only_committed_data_travels()
        {
            using var bed = new CmdletTestBed(2);
            foreach (var db in bed.Engine.Databases.Values)
            {
                db.Remotes["origin"] = "https://doltremoteapi.dolthub.com/org/x";
            }
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Method Push -Remote origin -Path $args[1] | Sync-DoltBackup", bed.Host, bed.Dest);
            Assert.Empty(r.Errors);
            Assert.Contains(r.Warnings, w => w.Contains("committed data only"));
            Assert.Equal(4, bed.Engine.CallsOf("push").Count());
            Assert.Equal(BackupMethod.Push, Manifest(r.Output.Single()).Method);
        }

        [Fact]
        public void DataDir_with_a_running_server_is_refused_naming_pid_and_port()
        {
            using var bed = new CmdletTestBed(1);
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                string dataDir = bed.Dir.Combine("data");
                Directory.CreateDirectory(Path.Combine(dataDir, ".dolt"));
                Directory.CreateDirectory(Path.Combine(dataDir, "db1", ".dolt", "noms"));
                File.WriteAllText(Path.Combine(dataDir, ".dolt", "sql-server.info"), $"4242:{port}:1b4e28ba-2fa1-11d2-883f-0016d3cca427");
                var r = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -Destination $args[1]", dataDir, bed.Dest);
                var record = TheError(r);
                Assert.StartsWith("DoltBackup.DataDirInUse", record.FullyQualifiedErrorId);
                Assert.Contains("4242", record.Exception.Message);
                Assert.Contains(port.ToString(), record.Exception.Message);
                Assert.Contains("-Server", record.ErrorDetails.RecommendedAction);
                Assert.DoesNotContain("1b4e28ba", r.AllText());
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public void Offline_data_dir_goes_to_the_CLI_engine_with_DoltPath()
        {
            using var bed = new CmdletTestBed(0);
            string dataDir = bed.Dir.Combine("data");
            Directory.CreateDirectory(dataDir);
            var engine = new FakeDoltEngine();
            engine.AddDatabase("db1");
            FakeServers.Register(engine, dataDir);
            var r = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt/dolt -Destination $args[1] | Sync-DoltBackup", dataDir, bed.Dest);
            Assert.Empty(r.Errors);
            Assert.Equal(BackupStatus.Completed, Manifest(r.Output.Single()).Status);
            var req = FakeServers.LastRequest(dataDir);
            Assert.True(req.IsOffline);
            Assert.Equal("/opt/dolt/dolt", req.DoltPath);
            Assert.Equal(dataDir, Manifest(r.Output.Single()).Source.DataDir);
        }

        [Fact]
        public void Stopping_the_pipeline_leaves_a_manifest_that_does_not_say_Completed()
        {
            using var bed = new CmdletTestBed(20);
            bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] | Out-Null", bed.Host, bed.Dest);
            bed.Engine.SyncLatency = TimeSpan.FromMilliseconds(200);
            using var ps = PowerShell.Create();
            ps.Runspace = bed.Shell.Runspace;
            ps.AddScript("Sync-DoltBackup -Path $args[0] -Server $args[1] -ThrottleLimit 2").AddArgument(bed.Dest).AddArgument(bed.Host);
            using var started = new CountdownEvent(3);
            bed.Engine.SyncStarted += _ => { try { started.Signal(); } catch (InvalidOperationException) { } };
            var async = ps.BeginInvoke();
            Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
            ps.Stop();
            try
            {
                ps.EndInvoke(async);
            }
            catch (PipelineStoppedException)
            {
            }
            var m = ManifestStore.Read(bed.Dest);
            Assert.NotEqual(BackupStatus.Completed, m.Status);
            Assert.NotEqual(BackupStatus.Running, m.Status);
            Assert.Contains(m.Databases, d => d.Status == ItemStatus.Skipped);
            Assert.True(bed.Engine.SyncsStarted < 20);
        }
    }
}
