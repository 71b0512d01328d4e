# Pester 5: encrypted backup sets, the same user-visible behaviour as tests/DoltBackup.Tests/Encryption/EncryptedSetCmdletTests.cs.
# Uses the shared fixtures (../shared/fixtures beside the checkout, or DOLTBACKUP_SHARED), copied to temp dirs first.
BeforeDiscovery {
    $script:hasDolt = [bool](Get-Command dolt -ErrorAction SilentlyContinue)
    $script:hasOpenSsl = [bool](Get-Command openssl -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force
    $shared = if ($env:DOLTBACKUP_SHARED) { $env:DOLTBACKUP_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
    $script:serverFixture = Join-Path $shared 'fixtures/dolt-server/srv-dolt'
    $script:secret = 'Tr0ub4dor&3-not-in-output'

    function New-TestCertificate([string] $Name, [int] $Bits = 2048) {
        $rsa = [System.Security.Cryptography.RSA]::Create($Bits)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Name", $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddYears(1))
        $pfx = $cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12, 'p')
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($pfx, 'p', [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable)
    }

    function New-EncryptedFixture {
        $temp = Join-Path ([IO.Path]::GetTempPath()) ('doltbackup-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $temp | Out-Null
        Copy-Item -Recurse -Path (Join-Path $script:serverFixture 'data') -Destination (Join-Path $temp 'data')
        $temp
    }
}

Describe 'Encrypted backup sets' {
    BeforeEach {
        $script:temp = New-EncryptedFixture
        $script:data = Join-Path $script:temp 'data'
        $script:backups = Join-Path $script:temp 'backups'
    }
    AfterEach {
        Remove-Item -Recurse -Force $script:temp -ErrorAction SilentlyContinue
    }

    It 'documents the encryption parameters with examples' {
        foreach ($pair in @(@('New-DoltBackup', 'EncryptionCertificate'), @('New-DoltBackup', 'EncryptionPassphrase'), @('Sync-DoltBackup', 'EncryptionPassphrase'),
                @('Test-DoltBackup', 'DecryptionCertificate'), @('Restore-DoltBackup', 'DecryptionCertificate'), @('Restore-DoltBackup', 'Passphrase'))) {
            $help = Get-Help $pair[0] -Full
            ($help.parameters.parameter | Where-Object name -eq $pair[1]).description | Should -Not -BeNullOrEmpty
        }
        ((Get-Help New-DoltBackup -Full).examples.example.code -join "`n") | Should -BeLike '*-EncryptionCertificate*'
    }

    It 'stores only .p7m files besides manifest.json, and records the recipient without a private key' {
        $cert = New-TestCertificate 'ops'
        $certFile = Join-Path $script:temp 'ops.cer'
        [IO.File]::WriteAllBytes($certFile, $cert.RawData)
        $m = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionCertificate $certFile |
            Sync-DoltBackup -Format TarGzip -SkipConfiguration
        $m.Status | Should -Be 'Completed'
        $m.Encryption.Recipients[0].Thumbprint | Should -Be $cert.Thumbprint
        $archive = $m.Artifacts | Where-Object Kind -eq 'DataArchive'
        $archive.StoredPath | Should -Be 'datadir.tar.gz.p7m'
        $archive.Encrypted | Should -BeTrue
        Get-ChildItem -Path $m.BackupFolder -Recurse -File | Where-Object { $_.Name -notin 'manifest.json', '.doltbackup.lock' } |
            ForEach-Object { $_.Name | Should -BeLike '*.p7m' }
        (Get-Content -Raw (Join-Path $m.BackupFolder 'manifest.json')) | Should -Not -BeLike '*PRIVATE*'
    }

    It 'opens with openssl cms -decrypt and the passphrase' -Skip:(-not $script:hasOpenSsl) {
        $pw = ConvertTo-SecureString 'Tr0ub4dor&3-not-in-output' -AsPlainText -Force
        $m = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionPassphrase $pw |
            Sync-DoltBackup -Format TarGzip -SkipConfiguration
        $archive = $m.Artifacts | Where-Object Kind -eq 'DataArchive'
        $out = Join-Path $script:temp 'datadir.tar.gz'
        & openssl cms -decrypt -binary -inform DER -in (Join-Path $m.BackupFolder $archive.StoredPath) -pwri_password $script:secret -out $out
        $LASTEXITCODE | Should -Be 0
        # The archive's plaintext SHA-256 is not recorded (only with HashArchive, as an unencrypted archive's own hash);
        # its plaintext size is, and the stored bytes' SHA-256 and the GCM tag prove what it decrypts to.
        (Get-Item $out).Length | Should -Be $archive.PlaintextSize
        $archive.PlaintextSha256 | Should -BeNullOrEmpty
    }

    It 'needs the passphrase again to sync in a later session, and writes nothing without it' {
        $pw = ConvertTo-SecureString 'Tr0ub4dor&3-not-in-output' -AsPlainText -Force
        $set = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionPassphrase $pw
        $err = $null
        Get-DoltBackup $set.BackupFolder | Sync-DoltBackup -Format Tar -SkipConfiguration -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.SyncDoltBackupCommand'
        @(Get-ChildItem -Path $set.BackupFolder -Recurse -File | Where-Object Name -ne '.doltbackup.lock').Name | Should -Be @('manifest.json')
        (Get-DoltBackup $set.BackupFolder | Sync-DoltBackup -Format Tar -SkipConfiguration -EncryptionPassphrase $pw).Status | Should -Be 'Completed'
    }

    It 'Test-DoltBackup checks the stored bytes without a key and the contents with it; a flipped byte fails both' {
        $cert = New-TestCertificate 'ops'
        $m = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionCertificate $cert |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $noKey = @(Test-DoltBackup -Path $m.BackupFolder)
        @($noKey | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
        @($noKey | Where-Object { $_.Check -eq 'Encryption.Contents' -and $_.Status -eq 'Skipped' }).Count | Should -Be 1
        $withKey = @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert)
        @($withKey | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
        @($withKey | Where-Object { $_.Check -eq 'Artifact.Decrypted' -and $_.Status -eq 'Passed' }).Count | Should -BeGreaterThan 0

        $file = Join-Path $m.BackupFolder 'datadir.tar.p7m'
        $bytes = [IO.File]::ReadAllBytes($file)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0x10
        [IO.File]::WriteAllBytes($file, $bytes)
        @(Test-DoltBackup -Path $m.BackupFolder | Where-Object { $_.Status -eq 'Failed' }).Count | Should -BeGreaterThan 0
        @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert | Where-Object { $_.Status -eq 'Failed' }).Count | Should -BeGreaterThan 0
    }

    It 'Test-DoltBackup with the key fails an archive swapped in from another set and never calls it decrypted' {
        $cert = New-TestCertificate 'ops'
        $a = New-DoltBackup -Method FileCopy -Name swapa -DataDir $script:data -Path $script:backups -EncryptionCertificate $cert |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $b = New-DoltBackup -Method FileCopy -Name swapb -DataDir $script:data -Path $script:backups -EncryptionCertificate $cert |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $archive = $a.Artifacts | Where-Object Kind -eq 'DataArchive'
        $good = @(Test-DoltBackup -Path $a.BackupFolder -DecryptionCertificate $cert)
        @($good | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
        @($good | Where-Object { $_.Check -eq 'Artifact.Decrypted' -and $_.Target -eq $archive.StoredPath -and $_.Status -eq 'Passed' }).Count | Should -Be 1
        Copy-Item -Path (Join-Path $b.BackupFolder $archive.StoredPath) -Destination (Join-Path $a.BackupFolder $archive.StoredPath) -Force
        $swapped = @(Test-DoltBackup -Path $a.BackupFolder -DecryptionCertificate $cert)
        @($swapped | Where-Object { $_.Check -eq 'Artifact.Sha256' -and $_.Target -eq $archive.StoredPath -and $_.Status -eq 'Failed' }).Count | Should -Be 1
        @($swapped | Where-Object { $_.Check -eq 'Artifact.Decrypted' -and $_.Target -eq $archive.StoredPath -and $_.Status -eq 'Passed' }).Count | Should -Be 0
    }

    It 'a multi-block encrypted archive (threaded pipeline) opens with openssl, passes Test-DoltBackup and fails it after one flipped byte' -Skip:(-not $script:hasOpenSsl) {
        # Same as EncryptedLargeSetCmdletTests: over 1 MiB, so hashing, AES-GCM and writing run on their own threads.
        $cert = New-TestCertificate 'ops'
        $blobs = Join-Path $script:data 'blobs'
        New-Item -ItemType Directory -Path $blobs | Out-Null
        $big = [byte[]]::new(3000001)
        [Random]::new(13).NextBytes($big)
        [IO.File]::WriteAllBytes((Join-Path $blobs 'big.bin'), $big)
        $m = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionCertificate $cert |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $archive = $m.Artifacts | Where-Object Kind -eq 'DataArchive'
        $file = Join-Path $m.BackupFolder $archive.StoredPath
        (Get-FileHash -Algorithm SHA256 $file).Hash.ToLowerInvariant() | Should -Be $archive.Sha256
        $certPem = Join-Path $script:temp 'ops.crt'
        $keyPem = Join-Path $script:temp 'ops.key'
        Set-Content -Path $certPem -Value $cert.ExportCertificatePem()
        Set-Content -Path $keyPem -Value ([System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert).ExportPkcs8PrivateKeyPem())
        $out = Join-Path $script:temp 'datadir.tar'
        & openssl cms -decrypt -binary -inform DER -in $file -recip $certPem -inkey $keyPem -out $out
        $LASTEXITCODE | Should -Be 0
        # The archive's plaintext SHA-256 is not recorded (only with HashArchive, as an unencrypted archive's own hash);
        # its plaintext size is, and the stored bytes' SHA-256 and the GCM tag prove what it decrypts to.
        (Get-Item $out).Length | Should -Be $archive.PlaintextSize
        $archive.PlaintextSha256 | Should -BeNullOrEmpty
        @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0

        $bytes = [IO.File]::ReadAllBytes($file)
        $at = [int]($bytes.Length * 2 / 3)
        $bytes[$at] = $bytes[$at] -bxor 0x01
        [IO.File]::WriteAllBytes($file, $bytes)
        @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert | Where-Object { $_.Target -eq $archive.StoredPath -and $_.Status -eq 'Failed' }).Count | Should -BeGreaterThan 0
    }

    It 'an archive larger than one segment is stored in ordered parts: each checked, openssl opens them in order, a missing part fails naming it' {
        # Same as EncryptedArchivePartsTests: 1 MiB segments (a test-only setting, by data dir) stand for 32 GiB.
        $cert = New-TestCertificate 'ops'
        $big = [byte[]]::new(3MB)
        [Random]::new(13).NextBytes($big)
        [IO.File]::WriteAllBytes((Join-Path $script:data 'big.bin'), $big)
        $segments = [DoltBackup.FileCopy.FileCopyOptions].GetField('SegmentBytesForTests', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null)
        $segmentKey = [IO.Path]::GetFullPath($script:data).TrimEnd([IO.Path]::DirectorySeparatorChar)
        $segments[$segmentKey] = [long]1MB
        try {
            $m = New-DoltBackup -Method FileCopy -Name parts -DataDir $script:data -Path $script:backups -EncryptionCertificate $cert |
                Sync-DoltBackup -Format TarGzip -SkipConfiguration
        }
        finally {
            # Only the backup reads the segment size: the override ends with it.
            $removedBytes = [long]0
            $null = $segments.TryRemove($segmentKey, [ref]$removedBytes)
        }
        $m.Status | Should -Be 'Completed'
        $archive = $m.Artifacts | Where-Object Kind -eq 'DataArchive'
        $archive.StoredPath | Should -Be 'datadir.tar.gz.p7m'
        $archive.Parts.Count | Should -BeGreaterOrEqual 3
        Test-Path (Join-Path $m.BackupFolder 'datadir.tar.gz.p7m') | Should -BeFalse
        for ($i = 0; $i -lt $archive.Parts.Count; $i++) {
            $archive.Parts[$i].StoredPath | Should -Be ('datadir.tar.gz.part{0:D4}.p7m' -f ($i + 1))
            (Get-FileHash -Algorithm SHA256 (Join-Path $m.BackupFolder $archive.Parts[$i].StoredPath)).Hash.ToLowerInvariant() | Should -Be $archive.Parts[$i].Sha256
        }
        @(Test-DoltBackup -Path $m.BackupFolder | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
        @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert -Deep | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
        @(Test-DoltBackup -Path $m.BackupFolder -DecryptionCertificate $cert | Where-Object { $_.Check -eq 'Artifact.Parts' -and $_.Status -eq 'Passed' }).Count | Should -Be 1

        if (Get-Command openssl -ErrorAction SilentlyContinue) {
            $certPem = Join-Path $script:temp 'ops.crt'
            $keyPem = Join-Path $script:temp 'ops.key'
            Set-Content -Path $certPem -Value $cert.ExportCertificatePem()
            Set-Content -Path $keyPem -Value ([System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert).ExportPkcs8PrivateKeyPem())
            $whole = [IO.MemoryStream]::new()
            foreach ($part in Get-ChildItem -Path $m.BackupFolder -Filter 'datadir.tar.gz.part*.p7m' | Sort-Object Name) {
                $out = Join-Path $script:temp ($part.Name + '.plain')
                & openssl cms -decrypt -binary -inform DER -in $part.FullName -recip $certPem -inkey $keyPem -out $out
                $LASTEXITCODE | Should -Be 0
                $bytes = [IO.File]::ReadAllBytes($out)
                $whole.Write($bytes, 0, $bytes.Length)
            }
            $whole.Length | Should -Be $archive.PlaintextSize
        }
        # Not recorded (only with HashArchive): checked whether or not openssl is there.
        $archive.PlaintextSha256 | Should -BeNullOrEmpty
        @($archive.Parts | Where-Object { $_.PlaintextSha256 }).Count | Should -Be 0

        Remove-Item (Join-Path $m.BackupFolder 'datadir.tar.gz.part0002.p7m')
        $failed = @(Test-DoltBackup -Path $m.BackupFolder | Where-Object { $_.Status -eq 'Failed' })
        @($failed | Where-Object { ($_.Target + $_.Message) -like '*part0002*' }).Count | Should -BeGreaterThan 0
        # Refused before any dolt command is needed (as EncryptedArchivePartsTests' damaged-part theory): runs
        # without dolt, and -DoltPath names a binary that does not exist to show it is never run.
        $target = Join-Path $script:temp 'restored'
        $err = $null
        Restore-DoltBackup -Path $m.BackupFolder -DataDir $target -DecryptionCertificate $cert -DoltPath (Join-Path $script:temp 'no-dolt/dolt') -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        @($err | Where-Object { $_.Exception.Message -like '*part0002*' }).Count | Should -BeGreaterThan 0
        @($err | Where-Object { $_.Exception.Message -like '*no-dolt*' }).Count | Should -Be 0
        Test-Path $target | Should -BeFalse
    }

    It 'Restore-DoltBackup refuses no key and a wrong key with nothing written, and restores with the key' -Skip:(-not $script:hasDolt) {
        $pw = ConvertTo-SecureString 'Tr0ub4dor&3-not-in-output' -AsPlainText -Force
        $bad = ConvertTo-SecureString 'not the passphrase' -AsPlainText -Force
        $m = New-DoltBackup -Method FileCopy -Name enc -DataDir $script:data -Path $script:backups -EncryptionPassphrase $pw |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $target = Join-Path $script:temp 'restored'
        $err = $null
        Restore-DoltBackup -Path $m.BackupFolder -DataDir $target -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
        Test-Path $target | Should -BeFalse
        $err = $null
        Restore-DoltBackup -Path $m.BackupFolder -DataDir $target -Passphrase $bad -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        ($err | Where-Object { $_.FullyQualifiedErrorId -like 'DoltBackup.ArtifactDecryptionFailed*' }) | Should -Not -BeNullOrEmpty
        Test-Path $target | Should -BeFalse
        $err = $null
        $all = Restore-DoltBackup -Path $m.BackupFolder -DataDir $target -Passphrase $pw -Confirm:$false -ErrorVariable err -Verbose 4>&1 | Out-String
        $err.Count | Should -Be 0
        Test-Path (Join-Path $target 'sales/.dolt/noms/manifest') | Should -BeTrue
        $all | Should -Not -BeLike "*$($script:secret)*"
    }
}

# Mirrors tests/DoltBackup.Tests/Encryption/EncryptedStagedStoresTests.cs with real Dolt and s3rver (tests/objectstores: npm ci).
Describe 'Encrypted sets with staged Dolt stores in S3' {
    BeforeDiscovery {
        $script:s3rverJs = Join-Path $PSScriptRoot '../objectstores/node_modules/s3rver/bin/s3rver.js'
        $script:canStage = [bool](Get-Command dolt -ErrorAction SilentlyContinue) -and [bool](Get-Command node -ErrorAction SilentlyContinue) -and (Test-Path $script:s3rverJs)
    }

    BeforeAll {
        $script:s3Dir = Join-Path ([IO.Path]::GetTempPath()) ('doltbackup-pester-s3-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $script:s3Dir | Out-Null
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $script:s3Port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $script:s3rver = $null
        if (Get-Command node -ErrorAction SilentlyContinue) {
            $js = Join-Path $PSScriptRoot '../objectstores/node_modules/s3rver/bin/s3rver.js'
            if (Test-Path $js) {
                $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-Command node).Source)
                foreach ($a in @($js, '-d', $script:s3Dir, '-a', '127.0.0.1', '-p', "$($script:s3Port)", '-s', '--configure-bucket', 'doltbackup-pester')) { $psi.ArgumentList.Add($a) }
                # s3rver encrypts listing continuation tokens with DES: Node 17+ needs its legacy OpenSSL provider (for s3rver only).
                $psi.Environment['NODE_OPTIONS'] = '--openssl-legacy-provider'
                $psi.UseShellExecute = $false
                $script:s3rver = [System.Diagnostics.Process]::Start($psi)
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ([DateTime]::UtcNow -lt $deadline) {
                    try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:s3Port).Dispose(); break } catch { Start-Sleep -Milliseconds 200 }
                }
            }
        }
        $s3Key = [pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force))
        $script:ctx = New-DoltBackupStorageContext -S3EndpointUrl "http://127.0.0.1:$($script:s3Port)" -S3Region 'us-east-1' -S3Credential $s3Key

        function Get-StoreObjects([string] $Url) {
            $location = [DoltBackup.Storage.BackupLocations]::Open($Url, $script:ctx)
            try { $location.List('', [System.Threading.CancellationToken]::None) } finally { $location.Dispose() }
        }
    }

    AfterAll {
        if ($script:s3rver) { Stop-Process -Id $script:s3rver.Id -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $script:s3Dir -ErrorAction SilentlyContinue
    }

    It 'uploads every store file encrypted, reuses them unchanged, and restores only with the key' -Skip:(-not $script:canStage) {
        $temp = New-EncryptedFixture
        try {
            $cert = New-TestCertificate 'ops'
            $public = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($cert.RawData)
            $url = 's3://doltbackup-pester/enc-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $staging = Join-Path $temp 'staging'
            $warnings = $null
            $m = New-DoltBackup -DataDir (Join-Path $temp 'data') -Destination $url -StagingPath $staging -StorageContext $script:ctx -EncryptionCertificate $public -WarningVariable warnings |
                Sync-DoltBackup -SkipConfiguration
            $m.Status | Should -Be 'Completed'
            $m.Encryption.DoltStoresEncrypted | Should -BeTrue
            @($warnings | Where-Object { "$_" -like '*cannot encrypt*' }).Count | Should -Be 0
            $names = @($m.Databases.Name)
            $before = @{}
            foreach ($o in Get-StoreObjects $url) {
                if ($names -contains $o.Key.Split('/')[0]) {
                    $o.Key | Should -BeLike '*.p7m'
                    $before[$o.Key] = $o.ETag
                }
            }
            $before.Count | Should -BeGreaterThan 0
            $before.ContainsKey('sales/manifest.p7m') | Should -BeTrue

            if (Get-Command openssl -ErrorAction SilentlyContinue) {
                $certPem = Join-Path $temp 'ops.crt'
                $keyPem = Join-Path $temp 'ops.key'
                Set-Content -Path $certPem -Value $cert.ExportCertificatePem()
                Set-Content -Path $keyPem -Value ([System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert).ExportPkcs8PrivateKeyPem())
                $encrypted = Join-Path $temp 'sales-manifest.p7m'
                $location = [DoltBackup.Storage.BackupLocations]::Open($url, $script:ctx)
                try {
                    $stream = $location.OpenRead('sales/manifest.p7m', [System.Threading.CancellationToken]::None)
                    $file = [IO.File]::Create($encrypted)
                    try { $stream.CopyTo($file) } finally { $file.Dispose(); $stream.Dispose() }
                } finally { $location.Dispose() }
                $out = Join-Path $temp 'sales-manifest'
                & openssl cms -decrypt -binary -inform DER -in $encrypted -recip $certPem -inkey $keyPem -out $out
                $LASTEXITCODE | Should -Be 0
                (Get-FileHash -Algorithm SHA256 $out).Hash | Should -Be (Get-FileHash -Algorithm SHA256 (Join-Path $staging 'sales/manifest')).Hash
            }

            # An unchanged second sync replaces no table file or archive (each upload would be new ciphertext, a new
            # ETag); Dolt 2.2.2 may add a small .darc and a new store manifest on an idle sync.
            $again = New-DoltBackup -DataDir (Join-Path $temp 'data') -Destination $url -StagingPath $staging -StorageContext $script:ctx -EncryptionCertificate $public |
                Sync-DoltBackup -SkipConfiguration
            $again.Status | Should -Be 'Completed'
            $compared = 0
            foreach ($o in Get-StoreObjects $url) {
                if ($before.ContainsKey($o.Key) -and $o.Key -match '/[0-9a-v]{32}(\.darc)?\.p7m$' -and $o.Key -notmatch '/v{32}\.p7m$') {
                    $o.ETag | Should -Be $before[$o.Key]
                    $compared++
                }
            }
            $compared | Should -BeGreaterThan 0

            Remove-Item -Recurse -Force $staging
            $noKey = @(Test-DoltBackup -Path $url -StorageContext $script:ctx)
            @($noKey | Where-Object { $_.Status -eq 'Failed' }).Count | Should -Be 0
            @($noKey | Where-Object { $_.Check -eq 'Store.Structure' -and $_.Status -eq 'Skipped' }).Count | Should -Be $names.Count

            $target = Join-Path $temp 'restored'
            $err = $null
            Restore-DoltBackup -Path $url -StorageContext $script:ctx -DataDir $target -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
            Test-Path $target | Should -BeFalse

            $err = $null
            $results = @(Restore-DoltBackup -Path $url -StorageContext $script:ctx -DataDir $target -DecryptionCertificate $cert -Confirm:$false -ErrorVariable err)
            $err.Count | Should -Be 0
            $restored = @($results | Where-Object { $_ -is [DoltBackup.Restore.DatabaseRestoreResult] })
            $restored.Count | Should -Be $names.Count
            foreach ($r in $restored) { $r.Verification | Should -Be ([DoltBackup.Restore.VerificationOutcome]::Verified) }
        }
        finally {
            Remove-Item -Recurse -Force $temp -ErrorAction SilentlyContinue
        }
    }
}
