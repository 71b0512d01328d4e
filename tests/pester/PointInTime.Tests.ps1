#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5 tests of Restore-DoltBackup -AsOf / -AsOfCommit: the same user-visible behaviour as
# tests/DoltBackup.Tests/Restore/PointInTime/*.cs. The part that needs Dolt runs only where `dolt` is on PATH.

BeforeDiscovery {
    $script:hasDolt = [bool](Get-Command dolt -ErrorAction SilentlyContinue)
}

BeforeAll {
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $repoRoot 'DoltBackup.psd1') -Force
    # What BeforeDiscovery sets is gone by the Run phase: the 'with dolt' BeforeAll needs its own answer.
    $script:hasDolt = [bool](Get-Command dolt -ErrorAction SilentlyContinue)

    function New-TestFolder {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) ('doltbackup-pester-pit-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $path | Out-Null
        $path
    }
}

Describe 'Restore-DoltBackup -AsOf' {
    It 'has -AsOf (a DateTime) and -AsOfCommit, documented, with an example' {
        $cmd = Get-Command Restore-DoltBackup -Module DoltBackup
        $cmd.Parameters['AsOf'].ParameterType | Should -Be ([datetime])
        $cmd.Parameters.Keys | Should -Contain 'AsOfCommit'
        (Get-Help Restore-DoltBackup -Parameter AsOf).description.Text | Should -BeLike '*first-parent*'
        (Get-Help Restore-DoltBackup -Parameter AsOfCommit).description.Text | Should -BeLike '*first 8 characters*'
        @((Get-Help Restore-DoltBackup -Examples).examples.example | Where-Object { $_.code -like '*-AsOf *' }).Count | Should -BeGreaterThan 0
    }

    It 'refuses a moment in the future before reading or writing anything' {
        $folder = New-TestFolder
        try {
            { Restore-DoltBackup -Path $folder -AsOf ([datetime]::UtcNow.AddDays(1)) -DataDir $folder -NewName x -Confirm:$false } |
                Should -Throw -ErrorId 'DoltBackup.AsOfInFuture,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
        }
        finally { Remove-Item $folder -Recurse -Force }
    }

    It 'reports a root with no completed set and restores nothing' {
        $folder = New-TestFolder
        try {
            $err = $null
            $result = Restore-DoltBackup -Path $folder -AsOf '2026-01-01T12:00:00Z' -DataDir $folder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.NoCompletedBackupSet,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
            @(Get-ChildItem $folder).Count | Should -Be 0
        }
        finally { Remove-Item $folder -Recurse -Force }
    }

    It 'says once that a time without a zone is local time' {
        $folder = New-TestFolder
        try {
            $warn = $null
            Restore-DoltBackup -Path $folder -AsOf ([datetime]::new(2026, 1, 1, 12, 0, 0)) -DataDir $folder -Confirm:$false `
                -WarningVariable warn -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            @($warn | Where-Object { "$_" -like '*has no time zone*local time*' }).Count | Should -Be 1
        }
        finally { Remove-Item $folder -Recurse -Force }
    }

    Context '-WhatIf over the real backups of a Dolt 2.2.2 server (no dolt needed)' {
        # Uses the shared server fixture (../shared beside the checkout, or DOLTBACKUP_SHARED), copied to a temp folder.
        # What if: text goes to the host, not to a stream: it is read from a child pwsh's standard output.
        BeforeAll {
            $shared = if ($env:DOLTBACKUP_SHARED) { $env:DOLTBACKUP_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
            $script:wiRoot = New-TestFolder
            $store = Join-Path $script:wiRoot 'stores/sales'
            New-Item -ItemType Directory -Path (Split-Path $store) | Out-Null
            Copy-Item -Recurse -Path (Join-Path $shared 'fixtures/dolt-server/srv-dolt/backups/sales') -Destination $store
            $script:wiSets = Join-Path $script:wiRoot 'sets'
            $folder = Join-Path $script:wiSets '20261123T190500Z-nightly'
            New-Item -ItemType Directory -Path $folder | Out-Null
            [ordered]@{
                schemaVersion = 1; id = '20261123T190500Z-nightly'; name = 'nightly'; method = 'DoltBackup'; status = 'Completed'
                createdUtc = '2026-11-23T19:05:00Z'; destination = @{ baseUrl = 'file:///x' }
                databases = @(@{ name = 'sales'; url = ([uri]$store).AbsoluteUri; status = 'Completed'; startedUtc = '2026-11-23T19:05:00Z'
                                 branches = @(@{ name = 'feature'; hash = '7353shqdgsussg7n1ie4qkgjm5mjtl29' }, @{ name = 'main'; hash = 'd2ajqa7h0hg1h6dn281ufpfqn3vfk5fj' })
                                 tags = @() })
            } | ConvertTo-Json -Depth 6 | Set-Content -Path (Join-Path $folder 'manifest.json')
            $script:wiData = Join-Path $script:wiRoot 'data'
            New-Item -ItemType Directory -Path $script:wiData | Out-Null
            $script:wiScript = Join-Path $script:wiRoot 'whatif.ps1'
            Set-Content -Path $script:wiScript -Value @'
param($Manifest, $Sets, $AsOf, $Data)
Import-Module $Manifest -ErrorAction Stop
$moment = [datetime]::Parse($AsOf, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal)
Restore-DoltBackup -Path $Sets -AsOf $moment -DataDir $Data -Database sales -NewName s -WhatIf -WarningAction SilentlyContinue
'@
            $script:pwsh = (Get-Process -Id $PID).Path
            $script:psd1 = Join-Path $PSScriptRoot '../../DoltBackup.psd1'
        }
        AfterAll {
            if ($script:wiRoot) { Remove-Item $script:wiRoot -Recurse -Force -ErrorAction SilentlyContinue }
        }

        It 'shows per branch the commit read from the store, its date and message, and restores nothing' {
            $text = (& $script:pwsh -NoProfile -NonInteractive -File $script:wiScript $script:psd1 $script:wiSets '2026-11-23T19:03:46.855Z' $script:wiData) -join "`n"
            $text | Should -BeLike '*What if:*'
            $text | Should -BeLike '*main: stays at d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj (2026-11-23 19:03:46.853 UTC) "orders"*'
            $text | Should -BeLike '*feature: deleted (it did not exist yet*'
            @(Get-ChildItem -Force $script:wiData).Count | Should -Be 0
        }

        It 'moves a branch back when its head is later than the moment' {
            $text = (& $script:pwsh -NoProfile -NonInteractive -File $script:wiScript $script:psd1 $script:wiSets '2026-11-23T19:03:46.820Z' $script:wiData) -join "`n"
            $text | Should -BeLike '*main: moves to tln0511ojtv5rp3o9d9kg1f53gcm0oin (2026-11-23 19:03:46.803 UTC) "Initialize data repository"*'
            @(Get-ChildItem -Force $script:wiData).Count | Should -Be 0
        }
    }

    Context 'with dolt' {
        BeforeAll {
            if (-not $script:hasDolt) { return }
            $script:root = New-TestFolder
            # Put back as it was in AfterAll (other files run in the same session).
            $script:savedDoltRoot = $env:DOLT_ROOT_PATH
            $script:doltRootSet = $true
            $env:DOLT_ROOT_PATH = Join-Path $script:root 'home'
            New-Item -ItemType Directory -Path $env:DOLT_ROOT_PATH | Out-Null
            dolt config --global --add user.name 'Pester' | Out-Null
            dolt config --global --add user.email 'pester@doltbackup.invalid' | Out-Null
            $src = Join-Path $script:root 'src/sales'
            New-Item -ItemType Directory -Path $src | Out-Null
            $script:sets = Join-Path $script:root 'sets'

            function Save-Set([string] $id, [string] $taken) {
                $url = 'file://' + (Join-Path $script:root "stores/$id").Replace('\', '/')
                dolt backup sync-url $url | Out-Null
                $branches = dolt sql -q 'SELECT name, hash FROM dolt_branches ORDER BY name' -r csv | ConvertFrom-Csv
                $tags = @(dolt sql -q 'SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name' -r csv | ConvertFrom-Csv)
                $working = (dolt sql -q 'SELECT dolt_hashof_db() AS h' -r csv | ConvertFrom-Csv).h
                $folder = Join-Path $script:sets $id
                New-Item -ItemType Directory -Path $folder | Out-Null
                [ordered]@{
                    schemaVersion = 1; id = $id; name = 'pit'; method = 'DoltBackup'; status = 'Completed'
                    createdUtc = $taken; destination = @{ baseUrl = 'file:///x' }
                    databases = @(@{ name = 'sales'; url = $url; status = 'Completed'; startedUtc = $taken; workingSetHash = $working
                                     branches = @($branches | ForEach-Object { @{ name = $_.name; hash = $_.hash } })
                                     tags = @($tags | Where-Object { $_ } | ForEach-Object { @{ name = $_.tag_name; hash = $_.tag_hash } }) })
                } | ConvertTo-Json -Depth 6 | Set-Content -Path (Join-Path $folder 'manifest.json')
            }

            Push-Location $src
            try {
                dolt init | Out-Null
                dolt sql -q "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1); CALL dolt_commit('-Am', 'c1', '--date', '2026-01-01T10:00:00Z'); CALL dolt_tag('v1');" | Out-Null
                Save-Set '20260101T110000Z-pit' '2026-01-01T11:00:00Z'
                dolt sql -q "INSERT INTO t VALUES (2); CALL dolt_commit('-Am', 'c2', '--date', '2026-01-01T12:00:00Z'); CALL dolt_checkout('-b', 'late'); INSERT INTO t VALUES (10); CALL dolt_commit('-Am', 'f1', '--date', '2026-01-01T13:00:00Z'); CALL dolt_checkout('main'); INSERT INTO t VALUES (3); CALL dolt_commit('-Am', 'c3', '--date', '2026-01-01T14:00:00Z'); CALL dolt_tag('v2');" | Out-Null
                Save-Set '20260101T150000Z-pit' '2026-01-01T15:00:00Z'
                $script:c2 = (dolt sql -q "SELECT commit_hash FROM dolt_log('main') WHERE message = 'c2'" -r csv | ConvertFrom-Csv).commit_hash
            }
            finally { Pop-Location }
            $script:data = Join-Path $script:root 'data'
            New-Item -ItemType Directory -Path $script:data | Out-Null
        }
        AfterAll {
            if ($script:root) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
            if ($script:doltRootSet) {
                if ($null -eq $script:savedDoltRoot) { Remove-Item Env:DOLT_ROOT_PATH -ErrorAction SilentlyContinue }
                else { $env:DOLT_ROOT_PATH = $script:savedDoltRoot }
                $script:doltRootSet = $false
            }
        }

        It 'restores as of a moment between the backups: main at its commit, the later branch and tag gone' -Skip:(-not $script:hasDolt) {
            $result = Restore-DoltBackup -Path $script:sets -AsOf '2026-01-01T12:30:00Z' -DataDir $script:data -NewName sales_1230 -Confirm:$false
            $result.BackupId | Should -Be '20260101T150000Z-pit'
            $result.Status | Should -Be 'Restored'
            $result.Verification | Should -Be 'Verified'
            ($result.Branches | Where-Object Branch -eq 'main').Commit | Should -Be $script:c2
            ($result.Branches | Where-Object Branch -eq 'late').Action | Should -Be 'Deleted'
            $result.DeletedTags | Should -Be @('v2')
            Push-Location $script:data
            try {
                $branches = dolt --use-db sales_1230 sql -q 'SELECT name, hash FROM dolt_branches' -r csv | ConvertFrom-Csv
                @($branches).Count | Should -Be 1
                $branches.hash | Should -Be $script:c2
            }
            finally { Pop-Location }
        }

        It 'changes nothing with -WhatIf' -Skip:(-not $script:hasDolt) {
            Restore-DoltBackup -Path $script:sets -AsOf '2026-01-01T12:30:00Z' -DataDir $script:data -NewName sales_whatif -WhatIf | Should -BeNullOrEmpty
            Test-Path (Join-Path $script:data 'sales_whatif') | Should -BeFalse
        }

        It 'shows with -WhatIf the commit each branch then gets' -Skip:(-not $script:hasDolt) {
            $script = Join-Path $script:root 'whatif-dolt.ps1'
            Set-Content -Path $script -Value @'
param($Manifest, $Sets, $Data)
Import-Module $Manifest -ErrorAction Stop
Restore-DoltBackup -Path $Sets -AsOf ([datetime]::new(2026, 1, 1, 12, 30, 0, [DateTimeKind]::Utc)) -DataDir $Data -NewName sales_wi -WhatIf -WarningAction SilentlyContinue
'@
            $text = (& (Get-Process -Id $PID).Path -NoProfile -NonInteractive -File $script (Join-Path $PSScriptRoot '../../DoltBackup.psd1') $script:sets $script:data) -join "`n"
            $text | Should -BeLike "*main: moves to $($script:c2) (*"
            $text | Should -BeLike '*late: deleted*'
            $text | Should -BeLike '*tags deleted (their commit is later): v2*'
            Test-Path (Join-Path $script:data 'sales_wi') | Should -BeFalse
        }
    }
}
