using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Encryption;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// Issue 13 with issue 12: an encrypted set with an s3:// or az:// destination uploads its staged Dolt stores
    /// encrypted (CMS AuthEnvelopedData, <c>.p7m</c>), records each object's ciphertext and plaintext SHA-256, reuses
    /// what is there only for the same recipients, and restores only with the key. Through the hosted PowerShell engine
    /// against Azurite and s3rver, and through the service against the in-memory location.
    /// </summary>
    public class EncryptedStagedStoresTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        public static IEnumerable<object[]> Emulators() => BackupLocationContractTests.Emulators();

        private static PowerShellResult Backup(StagedDestinationTests.Bed bed, string url, StorageContext context, X509Certificate2 recipient, string extra = "") => bed.Shell.Run(
            "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -EncryptionCertificate $args[4] " + extra +
            " | Sync-DoltBackup -SkipConfiguration -Verbose",
            bed.DataDir, url, bed.Staging, context, TestKeys.PublicOnly(recipient));

        private static (PowerShellResult Run, FakeDoltEngine Restored, string Target) Restore(StagedDestinationTests.Bed bed, string url, StorageContext context, X509Certificate2 key)
        {
            string target = bed.Dir.Combine("restored-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(target);
            var restorer = new FakeDoltEngine();
            FakeServers.Register(restorer, target);
            string command = "Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false" + (key == null ? "" : " -DecryptionCertificate $args[3]");
            return (bed.Shell.Run(command, url, context, target, key), restorer, target);
        }

        private static readonly byte[] BerSequence = { 0x30, 0x80 }; // CMS ContentInfo, BER indefinite length (streamed)

        private static byte[] Bytes(IBackupLocation location, string key)
        {
            using var stream = location.OpenRead(key, None);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private static bool Contains(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Every store object is CMS ciphertext holding none of its staged file's bytes in clear.</summary>
        private static void AssertCiphertextOnly(IBackupLocation location, string setKey, BackupManifest m, string stagingSet)
        {
            foreach (var db in m.Databases)
            {
                Assert.NotEmpty(db.StoreFiles);
                Assert.Contains(db.StoreFiles, r => r.Name == "manifest");
                foreach (var r in db.StoreFiles)
                {
                    string key = r.Shared ? r.Object + ".p7m" : ObjectKey.Combine(setKey, r.Object + ".p7m");
                    byte[] stored = Bytes(location, key);
                    Assert.Equal(r.Size, stored.Length);
                    Assert.Equal(BerSequence, stored.Take(2));
                    Assert.Equal(r.Sha256, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stored)).ToLowerInvariant());
                    byte[] plain = File.ReadAllBytes(Path.Combine(stagingSet, db.Name, r.Name));
                    Assert.Equal(r.PlaintextSha256, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(plain)).ToLowerInvariant());
                    if (plain.Length >= 24)
                    {
                        Assert.False(Contains(stored, plain.Take(24).ToArray()), key + " holds its plaintext");
                        Assert.False(Contains(stored, plain.Skip(plain.Length - 24).ToArray()), key + " holds its plaintext");
                    }
                }
            }
            // No plaintext store file anywhere: only manifest.json and the ownership markers stay readable.
            Assert.All(location.List(setKey.Length == 0 ? "" : setKey + "/", None).Select(o => o.Key)
                    .Where(k => !k.EndsWith("manifest.json", StringComparison.Ordinal) && !k.EndsWith(".doltbackup-owner.json", StringComparison.Ordinal) && !k.EndsWith(".lock", StringComparison.Ordinal)),
                k => Assert.EndsWith(".p7m", k));
        }

        private static IEnumerable<string> StoreUploads(PowerShellResult r) => r.Progress
            .Where(p => p.Activity.StartsWith("Uploading ", StringComparison.Ordinal) && p.StatusDescription != null && (p.StatusDescription.Contains("sales/") || p.StatusDescription.Contains("inventory/")))
            .Select(p => p.StatusDescription).Distinct();

        [Theory]
        [MemberData(nameof(Emulators))]
        public void Staged_stores_go_up_encrypted_restore_only_with_the_key_and_an_unchanged_sync_uploads_no_store_file(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var cert = TestKeys.NewCertificate("ops");

            var first = Backup(bed, url, context, cert);
            Assert.True(first.Errors.Count == 0 && first.Terminating == null, first.AllText());
            Assert.DoesNotContain(first.Warnings, w => w.Contains("cannot encrypt"));
            var local = (BackupManifest)first.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            Assert.True(local.Encryption.DoltStoresEncrypted);
            Assert.Null(local.Encryption.DoltStoresNote);
            Assert.NotEmpty(StoreUploads(first));

            using (var location = BackupLocations.Open(url, context))
            {
                var remote = RemoteSetCatalog.ReadManifest(location, "", None);
                Assert.True(remote.Encryption.DoltStoresEncrypted);
                AssertCiphertextOnly(location, "", remote, bed.Staging);
                Assert.DoesNotContain("sales/manifest", location.List("sales/", None).Select(o => o.Key));

                // Debian's openssl opens an uploaded store object without DoltBackup: the staged file's bytes.
                if (ExternalTools.OpenSsl != null)
                {
                    var (certPem, keyPem) = TestKeys.WritePem(cert, bed.Dir.Path);
                    string encrypted = bed.Dir.Combine("sales-manifest.p7m");
                    File.WriteAllBytes(encrypted, Bytes(location, "sales/manifest.p7m"));
                    var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-recip", certPem, "-inkey", keyPem, "-out", bed.Dir.Combine("out.bin"));
                    Assert.True(code == 0, error);
                    Assert.Equal(File.ReadAllBytes(Path.Combine(bed.Staging, "sales", "manifest")), File.ReadAllBytes(bed.Dir.Combine("out.bin")));
                }
            }

            // A second sync of the unchanged server uploads no store file again.
            var second = Backup(bed, url, context, cert);
            Assert.True(second.Errors.Count == 0 && second.Terminating == null, second.AllText());
            Assert.Empty(StoreUploads(second));
            Assert.Contains(second.Verbose, v => v.StartsWith("Uploaded ", StringComparison.Ordinal));

            // The host dies.
            Directory.Delete(bed.Staging, recursive: true);

            // Without the key: Test-DoltBackup checks the ciphertext only; Restore-DoltBackup refuses, writing nothing.
            var checks = bed.Shell.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", url, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            var results = checks.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();
            Assert.DoesNotContain(results, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(2, results.Count(x => x.Check == "Store.Structure" && x.Status == VerificationStatus.Skipped && x.Message.Contains("encrypted")));

            var (noKey, nothing, noKeyTarget) = Restore(bed, url, context, null);
            Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.RestoreDoltBackupCommand", Assert.Single(noKey.Errors).FullyQualifiedErrorId);
            Assert.Empty(nothing.Databases);
            Assert.Empty(Directory.GetFileSystemEntries(noKeyTarget));

            var (wrong, wrongEngine, wrongTarget) = Restore(bed, url, context, TestKeys.NewCertificate("other"));
            Assert.Equal("DoltBackup.StoreDecryptionFailed,DoltBackup.Cmdlets.RestoreDoltBackupCommand", Assert.Single(wrong.Errors).FullyQualifiedErrorId);
            Assert.Empty(wrongEngine.Databases);
            Assert.Empty(Directory.GetFileSystemEntries(wrongTarget));

            // With the key: Test-DoltBackup checks the decrypted stores, Restore-DoltBackup restores them Verified.
            var deep = bed.Shell.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1] -DecryptionCertificate $args[2] -Deep", url, context, cert);
            Assert.True(deep.Errors.Count == 0, deep.AllText());
            var deepResults = deep.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();
            Assert.DoesNotContain(deepResults, x => x.Status == VerificationStatus.Failed);
            Assert.Contains(deepResults, x => x.Check == "TableFile.Chunks" && x.Passed);

            var (restore, restorer, _) = Restore(bed, url, context, cert);
            Assert.True(restore.Errors.Count == 0 && restore.Terminating == null, restore.AllText());
            var restored = restore.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().ToList();
            Assert.Equal(new[] { "inventory", "sales" }, restored.Select(x => x.Database).OrderBy(x => x));
            Assert.All(restored, x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.Equal(bed.Engine.Databases["sales"].Branches["main"], restorer.Databases["sales"].Branches["main"]);

            // A flipped byte in one store object: refused with the object named, nothing written.
            using (var location = BackupLocations.Open(url, context))
            {
                byte[] table = Bytes(location, "sales/" + bed.Engine.Databases["sales"].TableFiles[0].Name + ".p7m");
                table[table.Length / 2] ^= 0x40;
                location.Put("sales/" + bed.Engine.Databases["sales"].TableFiles[0].Name + ".p7m", new MemoryStream(table), None);
            }
            var (flipped, flippedEngine, flippedTarget) = Restore(bed, url, context, cert);
            var damaged = Assert.Single(flipped.Errors);
            Assert.Equal("DoltBackup.StorageObjectDamaged,DoltBackup.Cmdlets.RestoreDoltBackupCommand", damaged.FullyQualifiedErrorId);
            Assert.Contains(bed.Engine.Databases["sales"].TableFiles[0].Name, damaged.Exception.Message);
            Assert.Empty(flippedEngine.Databases);
            Assert.Empty(Directory.GetFileSystemEntries(flippedTarget));
        }

        /// <summary>
        /// -Versioned: table files are stored once per recipients under .stores/&lt;db&gt;/&lt;key id&gt;/ and reused by the
        /// next version; a version with another certificate never reuses (nor replaces) them and uploads its own; each
        /// version restores with its own key; retention finds the shared files by the names in manifest.json.
        /// </summary>
        [Theory]
        [MemberData(nameof(Emulators))]
        public void Versions_share_encrypted_table_files_only_with_the_same_recipients_and_retention_keeps_what_they_name(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var a = TestKeys.NewCertificate("ops-a");
            var b = TestKeys.NewCertificate("ops-b");
            var versions = new List<BackupManifest>();
            foreach (var (cert, i) in new[] { (a, 0), (a, 1), (b, 2) })
            {
                if (i > 0)
                {
                    Thread.Sleep(1100); // the next version gets the next label
                    bed.Engine.Databases["sales"].Commit(10_000 + i);
                }
                var r = Backup(bed, url, context, cert, "-Versioned");
                Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
                var m = (BackupManifest)r.Output.Single().BaseObject;
                versions.Add(m);
                if (i == 1)
                {
                    // Only the new table file goes to .stores/: the first is reused, encrypted to the same recipient.
                    Assert.Single(StoreUploads(r), k => k.StartsWith(".stores/", StringComparison.Ordinal) && k.Contains("sales/"));
                }
            }
            Assert.Equal(versions[0].Encryption.StoreKeyId, versions[1].Encryption.StoreKeyId);
            Assert.NotEqual(versions[0].Encryption.StoreKeyId, versions[2].Encryption.StoreKeyId);
            using (var location = BackupLocations.Open(url, context))
            {
                var sharedA = location.List($".stores/sales/{versions[0].Encryption.StoreKeyId}/", None).Select(o => o.Key).ToList();
                var sharedB = location.List($".stores/sales/{versions[2].Encryption.StoreKeyId}/", None).Select(o => o.Key).ToList();
                Assert.Equal(2, sharedA.Count);
                Assert.Equal(3, sharedB.Count);
                Assert.All(sharedA.Concat(sharedB), k => Assert.EndsWith(".p7m", k));
                Assert.Empty(location.List(".stores/", None).Where(o => !o.Key.EndsWith(".p7m", StringComparison.Ordinal)));
                string label = Path.GetFileName(versions[1].Destination.ObjectStoreUrl);
                AssertCiphertextOnly(location, label, RemoteSetCatalog.ReadManifest(location, label, None), Path.Combine(bed.Staging, label));
            }
            Directory.Delete(bed.Staging, recursive: true);

            // Each version opens with its own key only.
            Assert.True(Restore(bed, versions[2].Destination.ObjectStoreUrl, context, b).Run.Errors.Count == 0);
            Assert.NotEmpty(Restore(bed, versions[2].Destination.ObjectStoreUrl, context, a).Run.Errors);

            // The middle version goes: the first still restores (its table files were shared with it), the newest too.
            // (Piped with the newest, which Remove-DoltBackup always keeps.)
            var removed = bed.Shell.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Where-Object Id -ne $args[2] | Remove-DoltBackup -StorageContext $args[1] -Force -Verbose",
                url, context, versions[0].Id);
            Assert.True(removed.Errors.Count == 0 && removed.Terminating == null, removed.AllText());
            using (var location = BackupLocations.Open(url, context))
            {
                // Past the grace period the table file only the removed version named goes; those the others name stay.
                Assert.Equal(1, StagedStores.CollectSharedGarbage(location, TimeSpan.FromHours(24), DateTime.UtcNow.AddDays(2), None));
                var sharedA = location.List($".stores/sales/{versions[0].Encryption.StoreKeyId}/", None).Select(o => o.Key).ToList();
                Assert.Equal(versions[0].Databases.Single(d => d.Name == "sales").StoreFiles.Where(f => f.Shared).Select(f => f.Object + ".p7m").OrderBy(k => k, StringComparer.Ordinal), sharedA.OrderBy(k => k, StringComparer.Ordinal));
            }
            foreach (var (v, key) in new[] { (versions[0], a), (versions[2], b) })
            {
                var (r, restorer, _) = Restore(bed, v.Destination.ObjectStoreUrl, context, key);
                Assert.True(r.Errors.Count == 0 && r.Terminating == null, v.Id + ": " + r.AllText());
                Assert.All(r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>(), x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
                Assert.Equal(v.Databases.Single(d => d.Name == "sales").Branches.Single(x => x.Name == "main").Hash, restorer.Databases["sales"].Branches["main"]);
            }
        }

        [S3rverFact]
        public void A_passphrase_set_uploads_its_stores_encrypted_and_later_writes_need_the_same_passphrase()
        {
            var (url, context) = OffHostSetTests.Root("s3rver");
            using var bed = new StagedDestinationTests.Bed();
            const string secret = "Tr0ub4dor&3-staged";
            var r = bed.Shell.Run(
                "$pw = [System.Security.SecureString]::new(); foreach ($ch in $args[4].ToCharArray()) { $pw.AppendChar($ch) }; " +
                "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -EncryptionPassphrase $pw | Sync-DoltBackup -SkipConfiguration",
                bed.DataDir, url, bed.Staging, context, secret);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.True(m.Encryption.DoltStoresEncrypted);
            using (var location = BackupLocations.Open(url, context))
            {
                AssertCiphertextOnly(location, "", RemoteSetCatalog.ReadManifest(location, "", None), bed.Staging);
            }

            // Another passphrase later: refused, nothing replaced.
            var other = bed.Shell.Run(
                "$pw = [System.Security.SecureString]::new(); foreach ($ch in 'not the passphrase'.ToCharArray()) { $pw.AppendChar($ch) }; " +
                "Sync-DoltBackup -Path $args[0] -StorageContext $args[1] -SkipConfiguration -EncryptionPassphrase $pw", m.BackupFolder, context);
            Assert.Contains(other.Errors, e => e.FullyQualifiedErrorId == "DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.SyncDoltBackupCommand");
            Assert.DoesNotContain(secret, r.AllText() + other.AllText());

            var target = bed.Dir.Combine("restored");
            Directory.CreateDirectory(target);
            var restorer = new FakeDoltEngine();
            FakeServers.Register(restorer, target);
            var restore = bed.Shell.Run(
                "$pw = [System.Security.SecureString]::new(); foreach ($ch in $args[3].ToCharArray()) { $pw.AppendChar($ch) }; " +
                "Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Passphrase $pw -Confirm:$false", url, context, target, secret);
            Assert.True(restore.Errors.Count == 0 && restore.Terminating == null, restore.AllText());
            Assert.All(restore.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>(), x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.Equal(bed.Engine.Databases["sales"].Branches["main"], restorer.Databases["sales"].Branches["main"]);
        }

        // ---- The service, against the in-memory location ----

        private static BackupManifest StagedSet(TempDir dir, FakeDoltEngine engine, EncryptionKeys keys)
        {
            var manifest = StagedDestinationTests.StagedSet(dir, engine);
            SetEncryption.Record(manifest, keys, hasDoltStores: true, stagedStoresRoot: "memory://test");
            ManifestStore.Write(manifest);
            return manifest;
        }

        private static (FakeDoltEngine Engine, BackupManifest Manifest, MemoryBackupLocation Store) Published(TempDir dir, EncryptionKeys keys)
        {
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            engine.Databases["sales"].Commit(8_000);
            var manifest = StagedSet(dir, engine, keys);
            var store = new MemoryBackupLocation();
            StagedStores.Publish(manifest, store, null, None);
            return (engine, manifest, store);
        }

        private static BackupManifest FetchAndOpen(MemoryBackupLocation store, string folder, EncryptionKeys keys)
        {
            var got = BackupSetTransfer.Fetch(store, "", folder, null, None);
            StagedStores.Localize(got, folder, store.DisplayName, null, keys, null, None);
            return got;
        }

        [Fact]
        public void Publish_encrypts_table_files_then_the_store_manifest_then_manifest_json_and_a_second_time_only_manifest_json()
        {
            using var dir = new TempDir();
            var keys = TestKeys.Passphrase("store pass");
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            var manifest = StagedSet(dir, engine, keys);
            var store = new MemoryBackupLocation();
            var order = new List<string>();
            StagedStores.Publish(manifest, store, p => order.Add(p.Key), None);
            string table = engine.Databases["sales"].TableFiles.Single().Name;
            Assert.True(order.IndexOf("sales/" + table + ".p7m") < order.IndexOf("sales/manifest.p7m"), string.Join(",", order));
            Assert.Equal("manifest.json", order.Last());
            Assert.DoesNotContain(store.List("", None), o => o.Key == "sales/manifest" || o.Key == "sales/" + table);
            var remote = RemoteSetCatalog.ReadManifest(store, "", None);
            Assert.Equal(store.List("sales/", None).Count, remote.Databases.Single().StoreFiles.Count);
            AssertCiphertextOnly(store, "", remote, dir.Combine("staging"));

            var again = StagedStores.Publish(manifest, store, null, None);
            Assert.Equal(1, again.Transferred);

            // The store of the first head opens with the passphrase and hashes as staged.
            using var fetched = new TempDir();
            var got = FetchAndOpen(store, fetched.Path, keys);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Combine("staging"), "sales", table)), File.ReadAllBytes(Path.Combine(fetched.Path, "sales", table)));
            Assert.Empty(Directory.GetFiles(fetched.Path, "*.p7m", SearchOption.AllDirectories).Where(f => f.Contains(Path.DirectorySeparatorChar + "sales" + Path.DirectorySeparatorChar)));
            Assert.Equal(engine.Databases["sales"].Branches["main"], new FakeDoltEngine().Storage.Get(got.Databases.Single().Url).Branches["main"]);
        }

        [OpenSslFact]
        public void Openssl_decrypts_an_uploaded_store_object_to_the_staged_file()
        {
            using var dir = new TempDir();
            var cert = TestKeys.NewCertificate("escrow");
            var (engine, manifest, store) = Published(dir, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null));
            string table = engine.Databases["sales"].TableFiles[0].Name;
            string encrypted = dir.Combine("t.p7m");
            File.WriteAllBytes(encrypted, Bytes(store, "sales/" + table + ".p7m"));
            var (certPem, keyPem) = TestKeys.WritePem(cert, dir.Path);
            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-recip", certPem, "-inkey", keyPem, "-out", dir.Combine("t.bin"));
            Assert.True(code == 0, error);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Combine("staging"), "sales", table)), File.ReadAllBytes(dir.Combine("t.bin")));
        }

        [Fact]
        public void A_flipped_byte_swapped_objects_and_a_wrong_key_are_refused_naming_the_object()
        {
            using var dir = new TempDir();
            var keys = TestKeys.Passphrase("right");
            var (engine, _, store) = Published(dir, keys);
            string t0 = "sales/" + engine.Databases["sales"].TableFiles[0].Name + ".p7m";
            string t1 = "sales/" + engine.Databases["sales"].TableFiles[1].Name + ".p7m";

            using (var fetched = new TempDir())
            {
                var e = Assert.Throws<StorageException>(() => FetchAndOpen(store, fetched.Path, TestKeys.Passphrase("wrong")));
                Assert.Equal("StoreDecryptionFailed", e.ErrorId);
            }

            byte[] a = Bytes(store, t0), b = Bytes(store, t1);
            store.Put(t0, new MemoryStream(b), None);
            store.Put(t1, new MemoryStream(a), None);
            using (var fetched = new TempDir())
            {
                // Each is a valid ciphertext to the same key, but not the one the manifest records under its name.
                var e = Assert.Throws<StorageException>(() => FetchAndOpen(store, fetched.Path, keys));
                Assert.Equal("StorageObjectDamaged", e.ErrorId);
                Assert.True(e.Message.Contains(t0) || e.Message.Contains(t1), e.Message);
            }
            store.Put(t0, new MemoryStream(a), None);
            store.Put(t1, new MemoryStream(b), None);

            a[a.Length - 40] ^= 1;
            store.Put(t0, new MemoryStream(a), None);
            foreach (var key in new[] { keys, null })
            {
                using var fetched = new TempDir();
                var e = Assert.Throws<StorageException>(() => FetchAndOpen(store, fetched.Path, key));
                Assert.Equal("StorageObjectDamaged", e.ErrorId);
                Assert.Contains(t0, e.Message);
            }
        }

        [Fact]
        public void A_set_with_encrypted_stores_and_no_key_at_hand_uploads_nothing_in_plaintext()
        {
            using var dir = new TempDir();
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            var manifest = StagedSet(dir, engine, TestKeys.Passphrase("p"));
            manifest.SessionEncryptionKeys = null;
            var store = new MemoryBackupLocation();
            Assert.Throws<EncryptionException>(() => StagedStores.Publish(manifest, store, null, None));
            Assert.Empty(store.List("", None));
        }

        [Fact]
        public void A_set_made_again_for_other_recipients_reuses_no_store_object_of_the_old_ones()
        {
            using var dir = new TempDir();
            var (engine, first, store) = Published(dir, TestKeys.Passphrase("old"));
            int storeFiles = first.Databases.Single().StoreFiles.Count;
            var again = StagedDestinationTests.StagedSet(dir, engine); // New-DoltBackup again on the same destination and staging folder
            var newKeys = TestKeys.Passphrase("new");
            SetEncryption.Record(again, newKeys, hasDoltStores: true, stagedStoresRoot: "memory://test");
            ManifestStore.Write(again);
            var result = StagedStores.Publish(again, store, null, None);
            Assert.Equal(storeFiles + 1, result.Transferred); // every store file again, and manifest.json
            Assert.Equal(0, result.Unchanged);
            using (var fetched = new TempDir())
            {
                FetchAndOpen(store, fetched.Path, newKeys);
            }
            using (var fetched = new TempDir())
            {
                Assert.Equal("StoreDecryptionFailed", Assert.Throws<StorageException>(() => FetchAndOpen(store, fetched.Path, TestKeys.Passphrase("old"))).ErrorId);
            }
        }

        [Fact]
        public void An_upload_cut_at_the_store_manifest_leaves_the_previous_encrypted_set_whole_and_restorable()
        {
            using var dir = new TempDir();
            var keys = TestKeys.Passphrase("k");
            var (engine, first, store) = Published(dir, keys);
            string firstHead = engine.Databases["sales"].Branches["main"];
            engine.Databases["sales"].Commit(10_000);
            var next = StagedDestinationTests.StagedSet(dir, engine);
            SetEncryption.Record(next, keys, hasDoltStores: true, stagedStoresRoot: "memory://test");
            ManifestStore.Write(next);
            store.FailPut = key => key == "sales/manifest.p7m" ? new IOException("connection reset") : null;
            Assert.ThrowsAny<Exception>(() => StagedStores.Publish(next, store, null, None));
            store.FailPut = null;

            using var fetched = new TempDir();
            var got = FetchAndOpen(store, fetched.Path, keys);
            Assert.Equal(first.Id, got.Id);
            Assert.Equal(firstHead, new FakeDoltEngine().Storage.Get(got.Databases.Single().Url).Branches["main"]);
        }

        [Fact]
        public void A_set_locked_by_another_writer_gets_no_store_object()
        {
            using var dir = new TempDir();
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            var manifest = StagedSet(dir, engine, TestKeys.Passphrase("p"));
            var store = new MemoryBackupLocation();
            using (store.TryAcquireLock(DoltBackup.Locking.BackupSetLock.FileName, TimeSpan.FromMinutes(5), None))
            {
                var e = Assert.Throws<StorageException>(() => StagedStores.Publish(manifest, store, null, None));
                Assert.Equal("StorageSetLocked", e.ErrorId);
                Assert.DoesNotContain(store.List("", None), o => o.Key.StartsWith("sales/", StringComparison.Ordinal) || o.Key == "manifest.json");
            }
            StagedStores.Publish(manifest, store, null, None);
            Assert.Contains(store.List("", None), o => o.Key == "sales/manifest.p7m");
        }

        [Fact]
        public void Another_passphrase_than_the_sets_uploads_nothing()
        {
            using var dir = new TempDir();
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            var manifest = StagedSet(dir, engine, TestKeys.Passphrase("first"));
            manifest.SessionEncryptionKeys = TestKeys.Passphrase("second");
            var store = new MemoryBackupLocation();
            var e = Assert.Throws<EncryptionException>(() => StagedStores.Publish(manifest, store, null, None));
            Assert.Contains("passphrase", e.Message);
            Assert.Empty(store.List("", None));
        }

        [Fact]
        public void The_store_key_id_follows_the_recipients_and_hides_the_passphrase()
        {
            var a = TestKeys.NewCertificate("a");
            var b = TestKeys.NewCertificate("b");
            string ab = SetEncryption.StoreKeyId(new EncryptionKeys(new[] { a, b }, null), "s3://x/p");
            Assert.Equal(ab, SetEncryption.StoreKeyId(new EncryptionKeys(new[] { TestKeys.PublicOnly(b), TestKeys.PublicOnly(a) }, null), "s3://x/p"));
            Assert.NotEqual(ab, SetEncryption.StoreKeyId(new EncryptionKeys(new[] { a }, null), "s3://x/p"));
            string p1 = SetEncryption.StoreKeyId(TestKeys.Passphrase("one"), "s3://x/p");
            Assert.Equal(p1, SetEncryption.StoreKeyId(TestKeys.Passphrase("one"), "s3://x/p/"));
            Assert.NotEqual(p1, SetEncryption.StoreKeyId(TestKeys.Passphrase("two"), "s3://x/p"));
            Assert.Matches("^[0-9a-f]{16}$", p1);
        }
    }
}
