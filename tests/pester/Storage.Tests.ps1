#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5 tests of off-host backup locations: the same user-visible behaviour as
# tests/DoltBackup.Tests/Storage/StorageContextCmdletTests.cs, StorageLocationTests.cs and OffHostSetTests.cs
# (the parts that need no object-store server).

BeforeAll {
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $repoRoot 'DoltBackup.psd1') -Force
    $secret = 'Sup3rSecretKeyValue-xyz'

    # A Completed FileCopy set made by hand in $Folder: data/a.tar ('abc') and its manifest.json (with -ObjectStoreUrl:
    # a set whose archive is in the object store).
    function New-CompletedSet([string] $Folder, [string] $Id = '20260101T000000Z-n', [string] $CreatedUtc = '2026-01-01T00:00:00Z',
            [string] $ObjectStoreUrl) {
        New-Item -ItemType Directory -Path (Join-Path $Folder 'data') -Force | Out-Null
        Set-Content -Path (Join-Path $Folder 'data/a.tar') -Value 'abc' -NoNewline
        $sha = (Get-FileHash -Path (Join-Path $Folder 'data/a.tar') -Algorithm SHA256).Hash.ToLowerInvariant()
        $m = [ordered]@{
            schemaVersion = 1; id = $Id; name = 'n'; method = 'FileCopy'; status = 'Completed'; createdUtc = $CreatedUtc
            artifacts = @(@{ kind = 'DataArchive'; storedPath = 'data/a.tar'; size = 3; sha256 = $sha; status = 'Completed' })
        }
        if ($ObjectStoreUrl) {
            $m.destination = @{ objectStoreUrl = $ObjectStoreUrl }
        }
        $m | ConvertTo-Json -Depth 5 | Set-Content -Path (Join-Path $Folder 'manifest.json')
    }
}

Describe 'New-DoltBackupStorageContext' {
    It 'keeps the S3 options and never shows the secret' {
        $cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'Sup3rSecretKeyValue-xyz' -AsPlainText -Force))
        $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:9000' -S3Region 'eu-west-1' -S3Credential $cred -Verbose 4>&1
        $context = $ctx | Where-Object { $_ -is [DoltBackup.Storage.StorageContext] }
        $context.S3EndpointUrl | Should -Be 'http://127.0.0.1:9000'
        $context.HasS3Credential | Should -BeTrue
        $text = ($ctx | Out-String) + ($context | Format-List * | Out-String) + ($context | ConvertTo-Json -Depth 3) + "$context"
        $text | Should -Not -Match ([regex]::Escape($secret))
        $text | Should -Match 'S3 access key \(hidden\)'
    }

    It 'keeps an Azure connection string hidden' {
        $ctx = New-DoltBackupStorageContext -ConnectionString (ConvertTo-SecureString "AccountName=a1;AccountKey=$secret" -AsPlainText -Force)
        $ctx.HasConnectionString | Should -BeTrue
        (($ctx | Format-List * | Out-String) + ($ctx | ConvertTo-Json) + "$ctx") | Should -Not -Match ([regex]::Escape($secret))
    }

    It 'refuses a connection string and a SAS token together' {
        $s = ConvertTo-SecureString 'x' -AsPlainText -Force
        { New-DoltBackupStorageContext -ConnectionString $s -SasToken $s -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidStorageContext,DoltBackup.Cmdlets.NewDoltBackupStorageContextCommand'
    }
}

Describe 'Object-store locations' {
    It 'refuses an unknown scheme with a clear error' {
        { Get-DoltBackup 'gs://bucket/prefix' -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.StorageUnknownScheme,DoltBackup.Cmdlets.GetDoltBackupCommand'
    }

    It 'refuses a SAS token in the URL without repeating it' {
        $err = $null
        Get-DoltBackup 'https://acct1.blob.core.windows.net/backups/p?sv=2024&sig=AbCdSecretSignature' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.StorageInvalidLocation,DoltBackup.Cmdlets.GetDoltBackupCommand'
        ($err[0] | Out-String) | Should -Not -Match 'AbCdSecretSignature'
    }
}

Describe 'New-DoltBackup to an object store (staged stores)' {
    # Mirrors tests/DoltBackup.Tests/Storage/StagedDestinationTests.cs (the checks that need no Dolt and no object store).
    It 'refuses -Path with an s3:// destination: the set goes to the destination' {
        $dir = Join-Path $TestDrive 'path-with-s3'
        New-Item -ItemType Directory -Path (Join-Path $dir 'data') -Force | Out-Null
        { New-DoltBackup -DataDir (Join-Path $dir 'data') -Destination 's3://bucket/prod' -Path (Join-Path $dir 'm') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand'
        Test-Path (Join-Path $dir 'm') | Should -BeFalse
    }

    It 'refuses -StagingPath without an s3:// or az:// destination' {
        $dir = Join-Path $TestDrive 'staging-without-object-store'
        New-Item -ItemType Directory -Path (Join-Path $dir 'data') -Force | Out-Null
        { New-DoltBackup -DataDir (Join-Path $dir 'data') -Destination (Join-Path $dir 'm') -StagingPath (Join-Path $dir 'm') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand'
        Test-Path (Join-Path $dir 'm') | Should -BeFalse
    }
}

Describe 'Off-host faults and URL forms (no object-store server needed)' {
    # Mirrors tests/DoltBackup.Tests/Storage/OffHostFaultMirrorTests.cs; the faults against Azurite and s3rver
    # themselves (expired SAS, lease takeover, cut transfer, missing bucket) are in ObjectStoreFaultTests.cs.
    It 'treats an https Azure Blob URL as a staged destination: -Path is refused as with s3://' {
        $dir = Join-Path $TestDrive 'path-with-https-blob'
        New-Item -ItemType Directory -Path (Join-Path $dir 'data') -Force | Out-Null
        { New-DoltBackup -DataDir (Join-Path $dir 'data') -Destination 'https://acct1.blob.core.windows.net/backups/prod' -Path (Join-Path $dir 'm') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand'
        Test-Path (Join-Path $dir 'm') | Should -BeFalse
    }

    It 'refuses an -AzureBlobEndpoint with a query string without repeating it' {
        # In a variable: the error's view quotes the script line that failed, and the test is about what the cmdlet repeats.
        $endpoint = 'http://127.0.0.1:1/acct1?sig=TopSecretSig'
        { New-DoltBackupStorageContext -AzureBlobEndpoint $endpoint -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidStorageContext,DoltBackup.Cmdlets.NewDoltBackupStorageContextCommand'
        $text = try { New-DoltBackupStorageContext -AzureBlobEndpoint $endpoint -ErrorAction Stop } catch { ($_ | Out-String) + $_.Exception.Message }
        $text | Should -Not -Match 'TopSecretSig'
    }

    It 'records a -CopyTo that cannot reach its endpoint in the local manifest, never Completed' {
        $folder = Join-Path (Join-Path $TestDrive 'copyto-down') '20260101T000000Z-n'
        New-CompletedSet -Folder $folder
        $cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'Sup3rSecretKeyValue-xyz' -AsPlainText -Force))
        $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:1' -S3Region 'us-east-1' -S3Credential $cred
        $err = $null
        $out = Sync-DoltBackup -Path $folder -CopyTo 's3://bucket-x/prod' -StorageContext $ctx -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.SyncDoltBackupCommand'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Sync-DoltBackup'
        ($out.Status -eq [DoltBackup.Manifest.BackupStatus]::Completed) | Should -BeFalse
        $local = Get-DoltBackup $folder
        ($local.Status -eq [DoltBackup.Manifest.BackupStatus]::Completed) | Should -BeFalse
        @($local.Errors | Where-Object ErrorId -eq 'DoltBackup.UploadFailed').Count | Should -Be 1
        (($err | Out-String) + $err[0].Exception.Message + ($out | ConvertTo-Json -Depth 6)) | Should -Not -Match ([regex]::Escape($secret))
    }
}

Describe 'New-DoltBackup -Method FileCopy to an object store (streamed archive)' {
    # Mirrors tests/DoltBackup.Tests/Storage/StreamedFileCopyUploadTests.cs (the checks that need no object store).
    It 'refuses -Path with an s3:// destination and writes nothing' {
        $dir = Join-Path $TestDrive 'filecopy-path-with-s3'
        New-Item -ItemType Directory -Path (Join-Path $dir 'data/db1/.dolt/noms') -Force | Out-Null
        { New-DoltBackup -Method FileCopy -DataDir (Join-Path $dir 'data') -Destination 's3://bucket/root' -Path (Join-Path $dir 'b') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand'
        Test-Path (Join-Path $dir 'b') | Should -BeFalse
    }

    It 'plans the set under <Destination>/<id> and stages only its manifest locally' {
        $dir = Join-Path $TestDrive 'filecopy-plan-s3'
        New-Item -ItemType Directory -Path (Join-Path $dir 'data/db1/.dolt/noms') -Force | Out-Null
        $m = New-DoltBackup -Method FileCopy -Name prod -DataDir (Join-Path $dir 'data') -Destination 's3://bucket/root' -StagingPath (Join-Path $dir 'staging')
        $m.Destination.ObjectStoreUrl | Should -Be ('s3://bucket/root/' + $m.Id)
        $m.BackupFolder | Should -Be (Join-Path (Join-Path $dir 'staging') $m.Id)
        $files = @(Get-ChildItem -Path (Join-Path $dir 'staging') -Recurse -File)
        $files.Count | Should -Be 1
        $files[0].Name | Should -Be 'manifest.json'
    }
}

Describe 'Restore-DoltBackup of an object-store set (streamed FileCopy restore)' {
    # Mirrors StreamedFileCopyRestoreMirrorTests in tests/DoltBackup.Tests/Storage/StreamedFileCopyRestoreTests.cs; the
    # restores, damaged bytes, wrong keys, missing objects and cut transfers run there against Azurite and s3rver.
    It 'leaves an occupied target untouched, with no staging folder beside it, when the object store cannot be reached' {
        $dir = Join-Path $TestDrive 'streamed-restore-down'
        $target = Join-Path $dir 'data'
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Set-Content -Path (Join-Path $target 'keep.txt') -Value 'the live data dir' -NoNewline
        $cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'Sup3rSecretKeyValue-xyz' -AsPlainText -Force))
        $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:1' -S3Region 'us-east-1' -S3Credential $cred
        $err = $null
        Restore-DoltBackup -Path 's3://bucket-x/prod/20260101T000000Z-n' -StorageContext $ctx -DataDir $target -Force -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
        @(Get-ChildItem -Path $dir -Force).Name | Should -Be @('data')
        @(Get-ChildItem -Path $target -Force).Name | Should -Be @('keep.txt')
        Get-Content -Path (Join-Path $target 'keep.txt') -Raw | Should -Be 'the live data dir'
        (($err | Out-String) + $err[0].Exception.Message) | Should -Not -Match ([regex]::Escape($secret))
    }
}

Describe 'A manifest carries its -StorageContext down the pipeline' {
    # Mirrors tests/DoltBackup.Tests/Storage/PipedStorageContextTests.cs (the checks that need no object store: an
    # endpoint that refuses shows which context was used).
    BeforeAll {
        $cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'Sup3rSecretKeyValue-xyz' -AsPlainText -Force))
        $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:1' -S3Region 'us-east-1' -S3Credential $cred
    }

    It 'keeps the context on the manifest, hidden from its members and views' {
        $folder = Join-Path (Join-Path $TestDrive 'carried-hidden') '20260101T000000Z-n'
        New-CompletedSet -Folder $folder
        $m = Get-DoltBackup $folder -StorageContext $ctx
        [object]::ReferenceEquals($m.StorageContext, $ctx) | Should -BeTrue
        $m | Get-Member -Name StorageContext | Should -BeNullOrEmpty
        ($m | Format-List * | Out-String) | Should -Not -Match 'StorageContext'
        ($m | Out-String) | Should -Not -Match '127\.0\.0\.1:1'
    }

    It 'is used by Sync-DoltBackup -CopyTo without a second -StorageContext, and never written to manifest.json' {
        $folder = Join-Path (Join-Path $TestDrive 'carried-sync') '20260101T000000Z-n'
        New-CompletedSet -Folder $folder
        $err = $null
        $out = Get-DoltBackup $folder -StorageContext $ctx | Sync-DoltBackup -CopyTo 's3://bucket-x/prod' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.SyncDoltBackupCommand'
        $json = Get-Content -Raw -Path (Join-Path $folder 'manifest.json')
        $json | Should -Match 'DoltBackup.UploadFailed'
        $json | Should -Not -Match 'storageContext'
        $json | Should -Not -Match '127\.0\.0\.1:1'
        (($err | Out-String) + $json + ($out | Out-String)) | Should -Not -Match 'Sup3rSecretKeyValue-xyz'
    }

    It 'is used by Test-DoltBackup for a set whose archive is in the object store' {
        $folder = Join-Path (Join-Path $TestDrive 'carried-test') '20260101T000000Z-n'
        New-CompletedSet -Folder $folder -ObjectStoreUrl 's3://bucket-x/prod/20260101T000000Z-n'
        $err = $null
        Get-DoltBackup $folder -StorageContext $ctx | Test-DoltBackup -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.TestDoltBackupCommand'
    }
}

Describe 'Incomplete sets (set folders without manifest.json)' {
    # Mirrors tests/DoltBackup.Tests/Storage/IncompleteSetTests.cs (the local-root checks; the s3:// and az:// ones
    # need the emulators and run in xunit).
    BeforeAll {
        function New-TestRoot([string] $Root) {
            New-CompletedSet -Folder (Join-Path $Root '20260201T000000Z-n') -Id '20260201T000000Z-n' -CreatedUtc '2026-02-01T00:00:00Z'
            # A killed backup: files, no manifest.json.
            $killed = Join-Path $Root '20260301T000000Z-n'
            New-Item -ItemType Directory -Path (Join-Path $killed 'data') -Force | Out-Null
            Set-Content -Path (Join-Path $killed 'data/a.tar') -Value '0123456789' -NoNewline
            # Not named like a set: never taken for one.
            New-Item -ItemType Directory -Path (Join-Path $Root 'notes') -Force | Out-Null
            Set-Content -Path (Join-Path $Root 'notes/readme.txt') -Value 'mine'
            $killed
        }
    }

    It 'is listed only with -IncludeIncomplete or -Status Incomplete' {
        $root = Join-Path $TestDrive 'incomplete-list'
        $killed = New-TestRoot -Root $root
        @(Get-DoltBackup $root).Count | Should -Be 1
        $all = @(Get-DoltBackup $root -IncludeIncomplete)
        $all.Count | Should -Be 2
        $set = @(Get-DoltBackup $root -Status Incomplete)
        $set.Count | Should -Be 1
        $set[0] | Should -BeOfType ([DoltBackup.Catalog.IncompleteBackupSet])
        $set[0].Id | Should -Be '20260301T000000Z-n'
        ($set[0].Status -eq [DoltBackup.Manifest.BackupStatus]::Incomplete) | Should -BeTrue
        $set[0].ObjectCount | Should -Be 1
        $set[0].Size | Should -Be 10
        $set[0].Location | Should -Be $killed
    }

    It 'is deleted by Remove-DoltBackup only once its newest file is older than the safety age' {
        $root = Join-Path $TestDrive 'incomplete-remove'
        $killed = New-TestRoot -Root $root
        $young = @(Get-DoltBackup $root -Status Incomplete | Remove-DoltBackup -Force)
        $young.Count | Should -Be 1
        ($young[0].Action -eq [DoltBackup.Retention.BackupRemovalAction]::Skipped) | Should -BeTrue
        $young[0].Reason | Should -Match 'safety age'
        Test-Path $killed | Should -BeTrue

        Get-ChildItem -Path $killed -Recurse -File | ForEach-Object { $_.LastWriteTimeUtc = [DateTime]::UtcNow.AddDays(-3) }
        $whatIf = @(Get-DoltBackup $root -Status Incomplete | Remove-DoltBackup -WhatIf)
        ($whatIf[0].Action -eq [DoltBackup.Retention.BackupRemovalAction]::Skipped) | Should -BeTrue
        Test-Path $killed | Should -BeTrue

        $gone = @(Get-DoltBackup $root -Status Incomplete | Remove-DoltBackup -Force)
        ($gone[0].Action -eq [DoltBackup.Retention.BackupRemovalAction]::Deleted) | Should -BeTrue
        Test-Path $killed | Should -BeFalse
        Test-Path (Join-Path $root 'notes/readme.txt') | Should -BeTrue
        Test-Path (Join-Path $root '20260201T000000Z-n/manifest.json') | Should -BeTrue
    }

    It 'is neither counted nor touched by a retention policy' {
        $root = Join-Path $TestDrive 'incomplete-policy'
        $killed = New-TestRoot -Root $root
        Get-ChildItem -Path $killed -Recurse -File | ForEach-Object { $_.LastWriteTimeUtc = [DateTime]::UtcNow.AddDays(-3) }
        $results = @(Remove-DoltBackup -Path $root -KeepLast 1 -Force)
        $results.Count | Should -Be 1
        $results[0].Id | Should -Be '20260201T000000Z-n'
        ($results[0].Action -eq [DoltBackup.Retention.BackupRemovalAction]::Kept) | Should -BeTrue
        Test-Path (Join-Path $killed 'data/a.tar') | Should -BeTrue
    }

    It 'refuses a negative -IncompleteMinimumAge' {
        $root = Join-Path $TestDrive 'incomplete-negative'
        New-TestRoot -Root $root | Out-Null
        { Get-DoltBackup $root -Status Incomplete | Remove-DoltBackup -IncompleteMinimumAge ([TimeSpan]::FromHours(-1)) -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidRetentionPolicy,DoltBackup.Cmdlets.RemoveDoltBackupCommand'
    }
}
