using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A manifest read from an object store carries the -StorageContext it was read with down the pipeline:
    /// <c>Get-DoltBackup s3://... -StorageContext $c | Test-DoltBackup</c> (Restore-, Remove-, Backup-DoltConfiguration)
    /// needs no second -StorageContext. The contexts here (an emulator endpoint with its key) are ones the default
    /// credential chains cannot find, so a cmdlet that lost the context fails. The context never reaches manifest.json,
    /// the format views or Get-Member.
    /// </summary>
    public class PipedStorageContextTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private static (string Root, StorageContext Context) PublishedSets(string driver, TempDir dir, params string[] ids)
        {
            var (root, context) = OffHostSetTests.Root(driver);
            using (var location = BackupLocations.Open(root, context))
            {
                foreach (string id in ids)
                {
                    // An id that starts with a UTC label is a set made then.
                    DateTime? made = DateTime.TryParseExact(id.Split('-')[0], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTime?)null;
                    BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, id, createdUtc: made), location, id, null, None);
                }
            }
            return (root, context);
        }

        /// <summary>A context through which every request fails.</summary>
        private static StorageContext WrongKey(string driver) => driver == "azurite"
            ? ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString().Replace(ObjectStoreServers.AzuriteKey, Convert.ToBase64String(new byte[64])))
            : ObjectStoreServers.S3rverContext(endpoint: "http://127.0.0.1:" + ObjectStoreServers.FreePort()); // s3rver takes any key: a closed port

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Test_DoltBackup_uses_the_context_Get_DoltBackup_read_the_set_with(string driver)
        {
            using var dir = new TempDir();
            var (root, context) = PublishedSets(driver, dir, "set-1");
            using var host = new PowerShellHost();

            var checks = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup", root, context);
            Assert.True(checks.Errors.Count == 0 && checks.Terminating == null, checks.AllText());
            var results = checks.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>().ToList();
            Assert.Contains(results, c => c.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.DoesNotContain(results, c => c.Status == DoltBackup.Verification.VerificationStatus.Failed);

            // The set's own URL, and the manifest-object parameter set, too.
            var bySet = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -Summary", root + "/set-1", context);
            Assert.True(bySet.Errors.Count == 0 && bySet.Terminating == null, bySet.AllText());
            Assert.Single(bySet.Output);
            var byObject = host.Run("$m = Get-DoltBackup $args[0] -StorageContext $args[1]; Test-DoltBackup -InputObject $m -Summary", root, context);
            Assert.True(byObject.Errors.Count == 0 && byObject.Terminating == null, byObject.AllText());

            // One given on the command line wins over the one the manifest carries.
            var explicitWins = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[2]", root, context, WrongKey(driver));
            Assert.NotEmpty(explicitWins.Errors);
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, UploadFaultTests.EverythingShown(explicitWins));
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Restore_DoltBackup_uses_the_context_of_the_piped_set(string driver)
        {
            using var dir = new TempDir();
            var (root, context) = PublishedSets(driver, dir, "set-1");
            using (var location = BackupLocations.Open(root, context))
            {
                location.Delete("set-1/data/a.tar", None);
            }
            string target = dir.Combine("restored");
            using var host = new PowerShellHost();
            // The restore reaches the store (it finds the object missing there) before it writes anything.
            var r = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Restore-DoltBackup -DataDir $args[2] -Confirm:$false", root + "/set-1", context, target);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageObjectMissing,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("data/a.tar", e.Exception.Message);
            Assert.False(Directory.Exists(target));
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Remove_DoltBackup_deletes_piped_remote_sets_with_their_context(string driver)
        {
            using var dir = new TempDir();
            var (root, context) = PublishedSets(driver, dir, "20260101T000000Z-n", "20260201T000000Z-n");
            using var host = new PowerShellHost();

            // The newest Completed set of the name is kept; the older one is the one deleted.
            var whatIf = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Remove-DoltBackup -WhatIf", root, context);
            Assert.True(whatIf.Errors.Count == 0 && whatIf.Terminating == null, whatIf.AllText());
            var previews = whatIf.Output.Select(o => (BackupRemovalResult)o.BaseObject).ToDictionary(x => x.Id, x => x.Action);
            Assert.Equal(BackupRemovalAction.Skipped, previews["20260101T000000Z-n"]);
            Assert.Equal(BackupRemovalAction.Kept, previews["20260201T000000Z-n"]);

            var r = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Remove-DoltBackup -Force", root, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var results = r.Output.Select(o => (BackupRemovalResult)o.BaseObject).ToDictionary(x => x.Id, x => x.Action);
            Assert.Equal(BackupRemovalAction.Deleted, results["20260101T000000Z-n"]);
            Assert.Equal(BackupRemovalAction.Kept, results["20260201T000000Z-n"]);
            using (var location = BackupLocations.Open(root, context))
            {
                var keys = location.List("", None).Select(o => o.Key).ToList();
                Assert.DoesNotContain(keys, k => k.StartsWith("20260101T000000Z-n/", StringComparison.Ordinal));
                Assert.Contains("20260201T000000Z-n/manifest.json", keys);
            }
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Sync_DoltBackup_passes_its_context_on_to_the_next_copy(string driver)
        {
            var (root, context) = OffHostSetTests.Root(driver);
            string second = root + "-second";
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            using var host = new PowerShellHost();
            // The second Sync-DoltBackup gets no -StorageContext: it copies the set (which holds its copy) with the first one's.
            var r = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -CopyTo $args[2] -StorageContext $args[3] | Sync-DoltBackup -CopyTo $args[4]",
                dir.Combine("srv", "data"), dir.Combine("backups"), root, context, second);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Same(context, m.StorageContext);
            using (var location = BackupLocations.Open(second, context))
            {
                Assert.Equal(m.Id, RemoteSetCatalog.ReadManifest(location, m.Id, None).Id);
            }
            AssertNoContextIn(File.ReadAllText(m.ManifestPath), context);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_manifest_json_written_after_the_pipeline_holds_no_context(string driver)
        {
            using var dir = new TempDir();
            var (root, context) = PublishedSets(driver, dir, "set-1");
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string url = root + "/set-1";
            using var host = new PowerShellHost();

            var piped = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Backup-DoltConfiguration -DataDir $args[2] -GlobalConfigDir $args[3]",
                url, context, dir.Combine("srv", "data"), dir.Combine("srv", "home", ".dolt"));
            Assert.True(piped.Errors.Count == 0 && piped.Terminating == null, piped.AllText());
            var emitted = (BackupManifest)piped.Output.Single().BaseObject;
            Assert.Same(context, emitted.StorageContext);

            string json;
            using (var location = BackupLocations.Open(url, context))
            {
                json = UploadFaultTests.ReadText(location, BackupManifest.FileName);
                Assert.Contains(RemoteSetCatalog.ReadManifest(location, "", None).Artifacts, a => a.Kind != "DataArchive");
            }
            AssertNoContextIn(json, context);
            AssertNoContextIn(ManifestStore.ToJson(emitted), context);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void The_carried_context_is_hidden_from_views_and_members_and_names_no_secret(string driver)
        {
            using var dir = new TempDir();
            var (root, context) = PublishedSets(driver, dir, "set-1");
            using var host = new PowerShellHost();
            var listed = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1]", root, context);
            Assert.True(listed.Errors.Count == 0 && listed.Terminating == null, listed.AllText());
            var m = listed.Output.Single();
            Assert.Same(context, ((BackupManifest)m.BaseObject).StorageContext);
            Assert.Same(context, host.Invoke("$args[0].StorageContext", m).Single().BaseObject);
            // Hidden: not among the properties PowerShell enumerates (Get-Member, Format-List *, Select-Object *, Export-Csv).
            Assert.Empty(host.Invoke("@($args[0].psobject.Properties | Where-Object Name -eq 'StorageContext')", m));
            // Not in the format views: the listing (Get-DoltBackup) and the manifest's own (New-/Sync-DoltBackup).
            foreach (string text in new[] { host.Render("Get-DoltBackup $args[0] -StorageContext $args[1]", root, context), host.Render("$args[0]", m.BaseObject) })
            {
                Assert.Contains("set-1", text);
                Assert.DoesNotContain("StorageContext", text);
                Assert.DoesNotContain(context.ToString(), text);
            }
            string xml = (string)host.Invoke("[System.Management.Automation.PSSerializer]::Serialize($args[0], 5)", m).Single().BaseObject;
            Assert.Contains("set-1", xml);
            // A manifest that went through serialization (Export-Clixml, remoting) carries no usable context (its secrets
            // never travel): it binds without an error, and the context is given again.
            var again = host.Run("[System.Management.Automation.PSSerializer]::Deserialize($args[0]) | Test-DoltBackup -Summary -StorageContext $args[1]", xml, context);
            Assert.True(again.Errors.Count == 0 && again.Terminating == null, again.AllText());
            if (driver == "s3rver")
            {
                var without = host.Run("[System.Management.Automation.PSSerializer]::Deserialize($args[0]) | Test-DoltBackup -Summary", xml);
                Assert.Null(without.Terminating);
                Assert.NotEmpty(without.Errors);
                Assert.All(without.Errors, e => Assert.EndsWith(",DoltBackup.Cmdlets.TestDoltBackupCommand", e.FullyQualifiedErrorId));
            }
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, xml);
            Assert.DoesNotContain("S3RVER", xml);
        }

        [S3rverFact]
        public void Test_DoltBackup_reads_the_manifest_json_of_a_set_it_cannot_stream_once()
        {
            using var dir = new TempDir();
            var (root, context) = OffHostSetTests.Root("s3rver");
            string folder = OffHostSetTests.LocalSet(dir, "set-1");
            var local = ManifestStore.Read(folder);
            local.Method = BackupMethod.DoltBackup; // not streamed: fetched into a temporary folder, then verified
            ManifestStore.Write(local);
            using (var location = BackupLocations.Open(root, context))
            {
                BackupSetTransfer.Publish(folder, location, "set-1", null, None);
            }
            using var proxy = new S3TamperingProxy(ObjectStoreServers.S3rverPort);
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", root + "/set-1", ObjectStoreServers.S3rverContext(endpoint: proxy.Endpoint));
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.Contains(r.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>(), c => c.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Downloading ", StringComparison.Ordinal));
            Assert.Single(proxy.Requests, q => q.Method == "GET" && q.Path.EndsWith("/set-1/manifest.json", StringComparison.Ordinal));
        }

        /// <summary>The same as tests/pester/Storage.Tests.ps1 checks (no object-store server: an endpoint that refuses).</summary>
        [Fact]
        public void A_local_set_read_with_a_context_passes_it_to_Sync_and_Test_down_the_pipeline()
        {
            using var dir = new TempDir();
            string id = "20260101T000000Z-n";
            string copied = dir.Combine("copied", id);
            Directory.CreateDirectory(Path.Combine(copied, "data"));
            File.WriteAllText(Path.Combine(copied, "data", "a.tar"), "abc");
            string artifacts = "\"artifacts\": [{ \"kind\": \"DataArchive\", \"storedPath\": \"data/a.tar\", \"size\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\", \"status\": \"Completed\" }]";
            File.WriteAllText(Path.Combine(copied, "manifest.json"),
                "{ \"schemaVersion\": 1, \"id\": \"" + id + "\", \"name\": \"n\", \"method\": \"FileCopy\", \"status\": \"Completed\", \"createdUtc\": \"2026-01-01T00:00:00Z\", " + artifacts + " }");
            string streamed = dir.Combine("streamed", id);
            Directory.CreateDirectory(streamed);
            File.WriteAllText(Path.Combine(streamed, "manifest.json"),
                "{ \"schemaVersion\": 1, \"id\": \"" + id + "\", \"name\": \"n\", \"method\": \"FileCopy\", \"status\": \"Completed\", \"createdUtc\": \"2026-01-01T00:00:00Z\", "
                + "\"destination\": { \"objectStoreUrl\": \"s3://bucket-x/prod/" + id + "\" }, " + artifacts + " }");
            var context = ObjectStoreServers.S3rverContext(endpoint: "http://127.0.0.1:1", secret: "Sup3rSecretKeyValue-xyz", accessKey: "AKIAEXAMPLE");
            using var host = new PowerShellHost();

            // The endpoint of the context (refusing) is what is reached, not the default chain's.
            var sync = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Sync-DoltBackup -CopyTo 's3://bucket-x/prod'", copied, context);
            Assert.Equal("DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.SyncDoltBackupCommand", Assert.Single(sync.Errors).FullyQualifiedErrorId);
            var test = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup", streamed, context);
            Assert.Equal("DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.TestDoltBackupCommand", Assert.Single(test.Errors).FullyQualifiedErrorId);

            string json = File.ReadAllText(Path.Combine(copied, "manifest.json"));
            Assert.Contains("DoltBackup.UploadFailed", json);
            Assert.DoesNotContain("storageContext", json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("127.0.0.1:1", json);
            Assert.DoesNotContain("Sup3rSecretKeyValue-xyz", UploadFaultTests.EverythingShown(sync) + UploadFaultTests.EverythingShown(test) + json);
        }

        private static void AssertNoContextIn(string json, StorageContext context)
        {
            Assert.DoesNotContain("storageContext", json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, json);
            Assert.DoesNotContain("S3RVER", json);
            if (context.S3EndpointUrl != null)
            {
                Assert.DoesNotContain(context.S3EndpointUrl, json);
            }
        }
    }
}
