#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Get-DoltBackup over a backup root and Remove-DoltBackup retention, as a user sees them.
# Run from the repository root after `dotnet build`: Invoke-Pester ./tests/pester/Retention.Tests.ps1

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force

    # Writes one backup set folder the way ManifestStore.Write does; $Status comes from the database items.
    function New-TestSet {
        param([string] $Root, [string] $Name, [datetime] $TimeUtc, [string] $Status = 'Completed')
        $items = switch ($Status) {
            'Completed' { 'Completed', 'Completed' }
            'Failed' { 'Failed', 'Failed' }
            'PartiallyCompleted' { 'Completed', 'Failed' }
        }
        $id = [DoltBackup.Manifest.BackupId]::Create($Name, $TimeUtc)
        $m = [DoltBackup.Manifest.BackupManifest]::new()
        $m.Id = $id
        $m.Name = $Name
        $m.CreatedUtc = $TimeUtc
        $m.Destination.BackupFolder = Join-Path $Root $id
        $i = 0
        foreach ($s in $items) {
            $db = [DoltBackup.Manifest.DatabaseBackupItem]::new()
            $db.Name = "db$i"
            $db.Status = $s
            $db.Bytes = 1000
            $m.Databases.Add($db)
            $i++
        }
        [DoltBackup.Manifest.ManifestStore]::Write($m) | Out-Null
        $id
    }
}

Describe 'Get-DoltBackup on a backup root' {
    BeforeEach {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("pester-root-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $root | Out-Null
        $now = [datetime]::UtcNow
        $ids = foreach ($d in 0..9) {
            New-TestSet -Root $root -Name 'prod' -TimeUtc $now.AddDays(-$d) -Status $(if ($d % 4 -eq 3) { 'Failed' } else { 'Completed' })
        }
    }
    AfterEach { Remove-Item -Recurse -Force $root }

    It 'lists every set newest first as backup manifests' {
        $sets = Get-DoltBackup -Path $root
        $sets.Count | Should -Be 10
        $sets[0].Id | Should -Be $ids[0]
        $sets[9].Id | Should -Be $ids[9]
        $sets[0] | Should -BeOfType ([DoltBackup.Manifest.BackupManifest])
        $sets[0].Size | Should -Be 2000
        $sets[0].NewSize | Should -Be 2000   # nothing shared with another version: all of it is new
    }

    It 'filters by status and keeps the newest N' {
        $failed = Get-DoltBackup -Path $root -Status Failed
        $failed.Count | Should -Be 2
        (Get-DoltBackup -Path $root -Status Completed -Last 3).Id | Should -Be @($ids[0], $ids[1], $ids[2])
    }

    It 'warns about an unreadable manifest and lists the rest' {
        New-Item -ItemType Directory -Path (Join-Path $root 'junk') | Out-Null
        Set-Content -Path (Join-Path $root 'junk/manifest.json') -Value '{ not json'
        $sets = Get-DoltBackup -Path $root -WarningVariable w -WarningAction SilentlyContinue
        $sets.Count | Should -Be 10
        $w.Count | Should -Be 1
    }
}

Describe 'Remove-DoltBackup' {
    BeforeEach {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("pester-root-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $root | Out-Null
        $now = [datetime]::UtcNow
        # d0 Failed, d1..d6 Completed
        $failedId = New-TestSet -Root $root -Name 'prod' -TimeUtc $now.AddMinutes(-5) -Status Failed
        $completed = foreach ($d in 1..6) { New-TestSet -Root $root -Name 'prod' -TimeUtc $now.AddDays(-$d) }
    }
    AfterEach { Remove-Item -Recurse -Force $root }

    It '-WhatIf lists what would go and deletes nothing' {
        $results = Remove-DoltBackup -Path $root -KeepLast 2 -WhatIf
        ($results | Where-Object Action -eq 'Skipped').Id | Sort-Object | Should -Be ($completed[2..5] | Sort-Object)
        (Get-ChildItem -Directory $root).Count | Should -Be 7
    }

    It 'keeps the newest completed sets and the younger failed one' {
        Remove-DoltBackup -Path $root -KeepLast 2 -Force | Out-Null
        (Get-ChildItem -Directory $root).Name | Sort-Object | Should -Be (@($failedId, $completed[0], $completed[1]) | Sort-Object)
    }

    It '-OlderThan keeps the restore point for the start of the window' {
        Remove-DoltBackup -Path $root -OlderThan (New-TimeSpan -Days 2 -Hours 12) -Force | Out-Null
        (Get-ChildItem -Directory $root).Name | Sort-Object | Should -Be (@($failedId, $completed[0], $completed[1], $completed[2]) | Sort-Object)
    }

    It 'never deletes a set whose lock a sync holds' {
        $held = [DoltBackup.Locking.BackupSetLock]::TryAcquire((Join-Path $root $completed[5]))
        try {
            $r = Remove-DoltBackup -Path $root -KeepLast 1 -Force
            ($r | Where-Object Id -eq $completed[5]).Action | Should -Be 'Skipped'
            Test-Path (Join-Path $root "$($completed[5])/manifest.json") | Should -BeTrue
        }
        finally { $held.Dispose() }
    }

    It 'deletes the piped sets but never the newest completed one' {
        $r = Get-DoltBackup -Path $root | Remove-DoltBackup -Confirm:$false
        ($r | Where-Object Action -eq 'Kept').Id | Should -Be $completed[0]
        (Get-ChildItem -Directory $root).Name | Should -Be $completed[0]
    }

    It 'refuses -Path without a policy' {
        { Remove-DoltBackup -Path $root -Force -ErrorAction Stop } | Should -Throw -ErrorId 'DoltBackup.RetentionPolicyRequired,DoltBackup.Cmdlets.RemoveDoltBackupCommand'
        (Get-ChildItem -Directory $root).Count | Should -Be 7
    }
}

Describe 'Remove-DoltBackup over -Versioned file:// sets' {
    # The layout New-DoltBackup -Versioned -Destination <dest> records: base URL and folder <dest>/<label>, data <dest>/<label>/<db>.
    BeforeEach {
        $script:dest = Join-Path ([IO.Path]::GetTempPath()) ("pester-versioned-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $script:dest | Out-Null
        $now = [datetime]::UtcNow
        $script:sets = foreach ($d in 2, 1) {
            $time = $now.AddDays(-$d)
            $id = [DoltBackup.Manifest.BackupId]::Create('prod', $time)
            $label = $id.Substring(0, 16)
            $folder = Join-Path $script:dest $label
            $m = [DoltBackup.Manifest.BackupManifest]::new()
            $m.Id = $id
            $m.Name = 'prod'
            $m.CreatedUtc = $time
            $m.Destination.BackupFolder = $folder
            $m.Destination.Versioned = $true
            $m.Destination.BaseUrl = 'file://' + $folder.Replace('\', '/')
            foreach ($name in 'sales', 'hr') {
                $data = Join-Path $folder $name
                New-Item -ItemType Directory -Path $data -Force | Out-Null
                Set-Content -Path (Join-Path $data 'manifest') -Value '5:__DOLT__:x'
                $db = [DoltBackup.Manifest.DatabaseBackupItem]::new()
                $db.Name = $name
                $db.Url = 'file://' + $data.Replace('\', '/')
                $db.Status = 'Completed'
                $m.Databases.Add($db)
            }
            [DoltBackup.Manifest.ManifestStore]::Write($m) | Out-Null
            $m
        }
    }
    AfterEach { Remove-Item -Recurse -Force $script:dest -ErrorAction SilentlyContinue }

    It 'reports the data inside the set folder as deleted, and warns about nothing left in place' {
        $old = $script:sets[0]
        $r = Remove-DoltBackup -Path $script:dest -KeepLast 1 -Force -WarningVariable warnings
        $removed = $r | Where-Object Id -eq $old.Id
        $removed.Action | Should -Be 'Deleted'
        @($removed.DataPaths).Count | Should -Be 2
        @($removed.LeftInPlace).Count | Should -Be 0
        @($warnings | Where-Object { "$_" -like '*left in place*' }).Count | Should -Be 0
        Test-Path $old.BackupFolder | Should -BeFalse
        Test-Path (Join-Path $script:sets[1].BackupFolder 'sales/manifest') | Should -BeTrue
    }
}
