#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5: user-visible behaviour of New-DoltBackup and Sync-DoltBackup.
# Needs a Dolt sql-server on DOLTBACKUP_TEST_SERVER (host:port, root without password by default) with at least one database;
# skipped otherwise. dolt_backup() names are per server: each test registers its own -Name (the default, doltbackup,
# would be one name for two destinations, which New-DoltBackup rightly refuses).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force
    $script:server = $env:DOLTBACKUP_TEST_SERVER
}

Describe 'New-DoltBackup and Sync-DoltBackup' {
    BeforeEach {
        $script:suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:dest = Join-Path ([IO.Path]::GetTempPath()) ("doltbackup-pester-" + $script:suffix)
        $script:name = 'pester_' + $script:suffix
    }
    AfterEach {
        Remove-Item -Recurse -Force $script:dest -ErrorAction SilentlyContinue
    }
    AfterAll {
        # The registrations the tests made (pester_<8 hex digits>) would stay on the shared test server: remove them,
        # in each database, with dolt's SQL client (root without a password, as the tests connect).
        if (-not $env:DOLTBACKUP_TEST_SERVER) { return }
        $left = @(Get-DoltBackup -Server $script:server -TlsMode None -Name 'pester_*' -ErrorAction SilentlyContinue)
        if ($left.Count -eq 0) { return }
        if (-not (Get-Command dolt -ErrorAction SilentlyContinue)) {
            Write-Warning "Sync.Tests.ps1 leaves $($left.Count) pester_* backup registrations on $($script:server): dolt is not on PATH to remove them."
            return
        }
        $hostName, $port = $script:server -split ':', 2
        if (-not $port) { $port = '3306' }
        foreach ($registration in $left) {
            dolt --host $hostName --port $port --no-tls sql -q "USE ``$($registration.Database)``; CALL dolt_backup('remove', '$($registration.Name)');" | Out-Null
        }
        @(Get-DoltBackup -Server $script:server -TlsMode None -Name 'pester_*' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'exports both cmdlets with help' {
        Get-Command New-DoltBackup, Sync-DoltBackup | Should -HaveCount 2
        (Get-Help New-DoltBackup).Synopsis | Should -Not -BeNullOrEmpty
        @((Get-Help Sync-DoltBackup -Examples).examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'refuses an unsupported destination scheme, naming it (s3:// and az:// are staged: Storage.Tests.ps1)' {
        { New-DoltBackup -Server localhost -Destination 'ftp://bucket/x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand' -ExpectedMessage "*'ftp'*"
    }

    It 'refuses -Server and -Destination with -Method FileCopy' {
        { New-DoltBackup -Server localhost -Destination $script:dest -Method FileCopy -ErrorAction Stop } |
            Should -Throw -ErrorId 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand' -ExpectedMessage '*-Destination*'
    }

    It 'changes nothing with -WhatIf' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name -WhatIf | Should -BeNullOrEmpty
        Test-Path $script:dest | Should -BeFalse
    }

    It 'backs up every database through the pipeline' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $m = New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name | Sync-DoltBackup
        $m.Status | Should -Be 'Completed'
        $m.Databases.Count | Should -BeGreaterThan 0
        $m.Databases | ForEach-Object { $_.Branches.Count | Should -BeGreaterThan 0 }
        (Get-DoltBackup $script:dest).Status | Should -Be 'Completed'
    }

    It 'is idempotent when run again' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name | Out-Null
        { New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name -ErrorAction Stop } | Should -Not -Throw
    }

    It 'syncs an existing set from its folder' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name | Out-Null
        (Get-DoltBackup $script:dest | Sync-DoltBackup -Server $script:server -TlsMode None -ThrottleLimit 2).Status | Should -Be 'Completed'
    }

    It 'starts a -Versioned file:// version as hard links to the previous one' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER -or -not $IsLinux) {
        $v1 = New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name -Versioned | Sync-DoltBackup
        Start-Sleep -Milliseconds 1100   # the next UTC label
        $v2 = New-DoltBackup -Server $script:server -TlsMode None -Destination $script:dest -Name $script:name -Versioned | Sync-DoltBackup
        $v1.Status | Should -Be ([DoltBackup.Manifest.BackupStatus]::Completed)
        $v2.Status | Should -Be ([DoltBackup.Manifest.BackupStatus]::Completed)
        foreach ($db in $v2.Databases) {
            $db.Seed.Method | Should -Be ([DoltBackup.Manifest.StoreSeedMethod]::HardLink)
            $db.Seed.FromSet | Should -Be $v1.Id
            $db.NewBytes | Should -BeLessThan $db.Bytes
            $old = ([uri]($v1.Databases | Where-Object Name -eq $db.Name).Url).LocalPath
            $new = ([uri]$db.Url).LocalPath
            $tables = @(Get-ChildItem -File -LiteralPath $old | Where-Object Name -match '^[0-9a-v]{32}(\.darc)?$')
            $tables.Count | Should -BeGreaterThan 0
            foreach ($t in $tables) {
                (& stat -c '%i' $t.FullName) | Should -Be (& stat -c '%i' (Join-Path $new $t.Name))
            }
            (& stat -c '%i' (Join-Path $old 'manifest')) | Should -Not -Be (& stat -c '%i' (Join-Path $new 'manifest'))
        }
        foreach ($set in $v1, $v2) {
            Test-DoltBackup -Path $set.BackupFolder | Where-Object { $_.Status -eq [DoltBackup.Verification.VerificationStatus]::Failed } | Should -BeNullOrEmpty
        }
        $listed = Get-DoltBackup -Path $script:dest | Select-Object -First 1
        $listed.NewSize | Should -BeLessThan $listed.Size
    }
}
