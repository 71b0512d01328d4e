#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5 tests of Restore-DoltBackup: the same user-visible behaviour as tests/DoltBackup.Tests/Restore/*.cs.
# The parts that need Dolt run only where `dolt` is on PATH. Run by ./build.ps1 -Task Test after `dotnet build`.

BeforeDiscovery {
    # -Skip is evaluated at discovery, before BeforeAll runs.
    $script:hasDolt = [bool](Get-Command dolt -ErrorAction SilentlyContinue)
}

BeforeAll {
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $repoRoot 'DoltBackup.psd1') -Force
    $script:hasDolt = [bool](Get-Command dolt -ErrorAction SilentlyContinue)

    function New-TestFolder {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) ('doltbackup-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $path | Out-Null
        $path
    }
}

Describe 'Restore-DoltBackup' {
    It 'is exported, overwrites with ConfirmImpact High and supports -WhatIf' {
        $cmd = Get-Command Restore-DoltBackup -Module DoltBackup
        $cmd.Parameters.Keys | Should -Contain 'WhatIf'
        $cmd.Parameters.Keys | Should -Contain 'Confirm'
        $cmd.Parameters.Keys | Should -Contain 'Force'
        $attr = $cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.ConfirmImpact | Should -Be 'High'
    }

    It 'has help with examples' {
        (Get-Help Restore-DoltBackup).Synopsis | Should -Not -BeNullOrEmpty
        @((Get-Help Restore-DoltBackup -Examples).examples.example).Count | Should -BeGreaterThan 1
    }

    It 'refuses a manifest with a newer schemaVersion' {
        $folder = New-TestFolder
        try {
            '{"schemaVersion": 99, "name": "x"}' | Set-Content -Path (Join-Path $folder 'manifest.json')
            $err = $null
            Restore-DoltBackup -Path $folder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.ManifestUnreadable*'
            $err[0].Exception.Message | Should -BeLike '*Update-Module*'
        }
        finally { Remove-Item $folder -Recurse -Force }
    }

    It 'refuses -NewName with -Prefix before touching anything' {
        { Restore-DoltBackup -Url 'file:///nowhere/x' -Name x -NewName a -Prefix b_ -DataDir ([System.IO.Path]::GetTempPath()) -Confirm:$false } |
            Should -Throw -ErrorId 'DoltBackup.InvalidRestoreRequest,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
    }

    It 'refuses a -DataDir that does not exist' {
        { Restore-DoltBackup -Url 'file:///nowhere/x' -Name x -DataDir (Join-Path ([System.IO.Path]::GetTempPath()) 'no-such-dir-doltbackup') -Confirm:$false } |
            Should -Throw -ErrorId 'DoltBackup.DataDirNotFound,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
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
            Push-Location $src
            try {
                dolt init | Out-Null
                dolt sql -q "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1),(2); CALL dolt_commit('-Am','init'); CALL dolt_branch('dev');" | Out-Null
                $script:storeUrl = 'file://' + (Join-Path $script:root 'stores/sales').Replace('\', '/')
                dolt backup sync-url $script:storeUrl | Out-Null
                $branches = dolt sql -q 'SELECT name, hash FROM dolt_branches ORDER BY name' -r csv | ConvertFrom-Csv
                $working = (dolt sql -q 'SELECT dolt_hashof_db() AS h' -r csv | ConvertFrom-Csv).h
            }
            finally { Pop-Location }
            $script:backup = Join-Path $script:root 'backup'
            New-Item -ItemType Directory -Path $script:backup | Out-Null
            [ordered]@{
                schemaVersion = 1; id = '20261123T020000Z-pester'; name = 'pester'; method = 'DoltBackup'; status = 'Completed'
                createdUtc = '2026-11-23T02:00:00Z'; destination = @{ baseUrl = 'file:///x' }
                databases = @(@{ name = 'sales'; url = $script:storeUrl; status = 'Completed'; workingSetHash = $working
                                 branches = @($branches | ForEach-Object { @{ name = $_.name; hash = $_.hash } }) })
            } | ConvertTo-Json -Depth 6 | Set-Content -Path (Join-Path $script:backup 'manifest.json')
        }
        AfterAll {
            if ($script:root) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
            if ($script:doltRootSet) {
                if ($null -eq $script:savedDoltRoot) { Remove-Item Env:DOLT_ROOT_PATH -ErrorAction SilentlyContinue }
                else { $env:DOLT_ROOT_PATH = $script:savedDoltRoot }
                $script:doltRootSet = $false
            }
        }

        It 'restores offline into a data directory and reports Verified' -Skip:(-not $script:hasDolt) {
            $data = Join-Path $script:root 'data'
            New-Item -ItemType Directory -Path $data | Out-Null
            $result = Restore-DoltBackup -Path $script:backup -DataDir $data -Confirm:$false
            $result.Status | Should -Be 'Restored'
            $result.Verification | Should -Be 'Verified'
            Test-Path (Join-Path $data 'sales/.dolt') | Should -BeTrue
        }

        It 'refuses an existing database without -Force and changes nothing with -WhatIf' -Skip:(-not $script:hasDolt) {
            $data = Join-Path $script:root 'data'
            $err = $null
            $result = Restore-DoltBackup -Path $script:backup -DataDir $data -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Skipped'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.DatabaseExists*'
            Restore-DoltBackup -Path $script:backup -DataDir $data -Force -WhatIf | Should -BeNullOrEmpty
            Test-Path (Join-Path $data '.dolt_dropped_databases') | Should -BeFalse
        }

        It 'restores beside the original with -Prefix' -Skip:(-not $script:hasDolt) {
            $data = Join-Path $script:root 'data'
            $result = Restore-DoltBackup -Path $script:backup -DataDir $data -Prefix copy_ -Confirm:$false
            $result.TargetName | Should -Be 'copy_sales'
            $result.Verification | Should -Be 'Verified'
        }

        It 'restores offline with no Dolt identity configured, with one warning naming the identity used' -Skip:(-not $script:hasDolt) {
            $data = Join-Path $script:root 'data-noid'
            $home2 = Join-Path $script:root 'home-noid'
            New-Item -ItemType Directory -Path $data, $home2 | Out-Null
            $saved = $env:DOLT_ROOT_PATH
            $env:DOLT_ROOT_PATH = $home2
            try {
                $result = Restore-DoltBackup -Path $script:backup -DataDir $data -Confirm:$false -WarningVariable idWarnings -WarningAction SilentlyContinue
            }
            finally { $env:DOLT_ROOT_PATH = $saved }
            $result.Verification | Should -Be 'Verified'
            @($idWarnings) | Should -HaveCount 1
            "$($idWarnings[0])" | Should -BeLike '*Dolt System Account*'
        }
    }
}

Describe 'Restore-DoltBackup of an untrusted FileCopy set' {
    # A manifest is untrusted input: one bad artifact stops the whole restore before the first write.
    # Uses the shared server fixture (../shared beside the checkout, or DOLTBACKUP_SHARED); no dolt needed.
    BeforeEach {
        $shared = if ($env:DOLTBACKUP_SHARED) { $env:DOLTBACKUP_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
        $script:temp = New-TestFolder
        $data = Join-Path $script:temp 'data'
        Copy-Item -Recurse -Path (Join-Path $shared 'fixtures/dolt-server/srv-dolt/data') -Destination $data
        $set = New-DoltBackup -Method FileCopy -Name files -DataDir $data -Path (Join-Path $script:temp 'backups') |
            Sync-DoltBackup -Format Tar -SkipConfiguration
        $script:folder = $set.BackupFolder
        $script:manifestPath = Join-Path $script:folder 'manifest.json'
        $script:target = Join-Path $script:temp 'restored'
        $script:configRoot = Join-Path $script:temp 'config-root'

        # A configuration artifact whose stored path leaves the backup folder (the bytes are real, only the path is wrong).
        $outside = Join-Path $script:temp 'outside.yaml'
        Set-Content -Path $outside -Value 'listener: {port: 3306}' -NoNewline
        $script:manifest = Get-Content -Raw $script:manifestPath | ConvertFrom-Json -DateKind String
        $script:manifest.artifacts += [pscustomobject]@{
            kind = 'ServerConfig'; storedPath = 'config/../../outside.yaml'; originalPath = '/etc/dolt/config.yaml'
            size = (Get-Item $outside).Length; sha256 = (Get-FileHash -Algorithm SHA256 $outside).Hash.ToLowerInvariant()
            secret = $false; status = 'Completed'
        }
        $script:manifest | ConvertTo-Json -Depth 20 | Set-Content -Path $script:manifestPath
    }
    AfterEach { Remove-Item -Recurse -Force $script:temp -ErrorAction SilentlyContinue }

    It 'writes nothing when one configuration artifact is unsafe, and says why' {
        $results = Restore-DoltBackup -Path $script:folder -DataDir $script:target -ConfigRoot $script:configRoot -Confirm:$false `
            -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.ArtifactPathUnsafe,DoltBackup.Cmdlets.RestoreDoltBackupCommand'
        Test-Path $script:target | Should -BeFalse
        Test-Path $script:configRoot | Should -BeFalse
        $results | ForEach-Object { "$($_.Status)" | Should -Be 'Skipped' }
    }

    It 'reports every problem, with -WhatIf too' {
        $file = $script:manifest.artifacts | Where-Object { $_.kind -eq 'DataFile' -and $_.size -gt 0 } | Select-Object -First 1
        $file.sha256 = '0' * 64
        $script:manifest | ConvertTo-Json -Depth 20 | Set-Content -Path $script:manifestPath
        $expected = @('DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.RestoreDoltBackupCommand',
                      'DoltBackup.ArtifactPathUnsafe,DoltBackup.Cmdlets.RestoreDoltBackupCommand')
        foreach ($whatIf in $false, $true) {
            Restore-DoltBackup -Path $script:folder -DataDir $script:target -ConfigRoot $script:configRoot -Force -WhatIf:$whatIf `
                -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
            @($errs | ForEach-Object FullyQualifiedErrorId | Sort-Object) | Should -Be $expected
            Test-Path $script:target | Should -BeFalse
        }
    }
}
