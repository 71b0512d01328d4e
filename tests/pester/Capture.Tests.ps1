#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Backup-DoltConfiguration: captures a Dolt server's configuration files into a backup set.
# Run from the repository root after `dotnet build DoltBackup.sln`:  Invoke-Pester ./tests/pester/Capture.Tests.ps1
# Uses the real stopped Dolt server root in ../shared/fixtures/dolt-server/srv-dolt (copied to a temp folder).

BeforeAll {
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $repoRoot 'DoltBackup.psd1') -Force
    $fixture = Join-Path $repoRoot '../shared/fixtures/dolt-server/srv-dolt'

    function New-ServerRoot {
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ("capture-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        Copy-Item -Path $fixture -Destination $root -Recurse
        Get-ChildItem $root -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        $config = Join-Path $root 'data/config.yaml'
        # The fixture's YAML names /srv/dolt/tls/...: point it at the copy.
        (Get-Content $config -Raw).Replace('/srv/dolt/tls/', (Join-Path $root 'tls') + '/') | Set-Content $config -NoNewline
        $backup = Join-Path $root 'backup'
        New-Item -ItemType Directory -Path $backup | Out-Null
        $manifest = [DoltBackup.Manifest.BackupManifest]::new()
        $manifest.Name = 'prod'
        $manifest.Id = [DoltBackup.Manifest.BackupId]::Create('prod', [datetime]::UtcNow)
        $manifest.Destination.BackupFolder = $backup
        [DoltBackup.Manifest.ManifestStore]::Write($manifest) | Out-Null
        [pscustomobject]@{ Root = $root; Config = $config; Global = (Join-Path $root 'home/.dolt'); Backup = $backup }
    }
}

Describe 'Backup-DoltConfiguration' {
    BeforeEach { $server = New-ServerRoot }
    AfterEach { Remove-Item $server.Root -Recurse -Force -ErrorAction SilentlyContinue }

    It 'captures the configuration files and records each with its SHA-256' {
        $m = Get-DoltBackup $server.Backup | Backup-DoltConfiguration -ConfigPath $server.Config -GlobalConfigDir $server.Global -WarningVariable w -WarningAction SilentlyContinue
        $m | Should -BeOfType ([DoltBackup.Manifest.BackupManifest])
        $m.Artifacts.Kind | Should -Contain 'ServerConfig'
        $m.Artifacts.Kind | Should -Contain 'RepoState'
        $m.Artifacts.Kind | Should -Contain 'PrivilegeFile'
        foreach ($a in $m.Artifacts) {
            $stored = Join-Path $server.Backup $a.StoredPath
            (Get-FileHash $stored -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $a.Sha256
        }
        (Get-DoltBackup $server.Backup).Artifacts.Count | Should -Be $m.Artifacts.Count
    }

    It 'leaves secrets out by default, says so once, and stores none of their bytes' {
        $m = Backup-DoltConfiguration -Path $server.Backup -ConfigPath $server.Config -GlobalConfigDir $server.Global -WarningVariable w -WarningAction SilentlyContinue
        $m.Omitted.Kind | Should -Contain 'TlsKey'
        $m.Omitted.Kind | Should -Contain 'GlobalCredential'
        @($w | Where-Object { $_ -like '*secret*' }).Count | Should -Be 1
        $keyLine = (Get-Content (Join-Path $server.Root 'tls/server.key'))[1]
        $jwk = Get-Content (Get-ChildItem (Join-Path $server.Global 'creds') -Filter *.jwk).FullName -Raw
        Get-ChildItem $server.Backup -Recurse -File | ForEach-Object {
            $text = Get-Content $_.FullName -Raw
            $text | Should -Not -Match ([regex]::Escape($keyLine))
            $text | Should -Not -Match ([regex]::Escape($jwk.Trim()))
        }
    }

    It 'stores secrets owner-only with -IncludeSecrets' {
        $m = Backup-DoltConfiguration -Path $server.Backup -ConfigPath $server.Config -GlobalConfigDir $server.Global -IncludeSecrets -Confirm:$false
        $key = $m.Artifacts | Where-Object Kind -eq 'TlsKey'
        $key.Secret | Should -BeTrue
        if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) {
            # Compare the flags: the enum's text is 'UserWrite, UserRead' on PowerShell 7.6.
            (Get-Item (Join-Path $server.Backup $key.StoredPath)).UnixFileMode | Should -Be ([System.IO.UnixFileMode]::UserRead -bor [System.IO.UnixFileMode]::UserWrite)
        }
    }

    It 'writes nothing with -WhatIf' {
        $before = Get-Content (Join-Path $server.Backup 'manifest.json') -Raw
        Backup-DoltConfiguration -Path $server.Backup -ConfigPath $server.Config -GlobalConfigDir $server.Global -WhatIf | Should -BeNullOrEmpty
        Test-Path (Join-Path $server.Backup 'config') | Should -BeFalse
        Get-Content (Join-Path $server.Backup 'manifest.json') -Raw | Should -Be $before
    }

    # Skipped as root, as the xunit tests skip their permission-based cases (BackupDoltConfigurationCommandTests covers it there).
    It 'reports an unreadable file as a non-terminating error and captures the rest' -Skip:([Environment]::UserName -eq 'root') {
        $cfg = Join-Path $server.Root 'data/sales/.dolt/config.json'
        Remove-Item $cfg
        New-Item -ItemType Directory -Path $cfg | Out-Null
        $m = Backup-DoltConfiguration -Path $server.Backup -ConfigPath $server.Config -GlobalConfigDir $server.Global -ErrorVariable e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.CaptureFailed,*'
        ($m.Artifacts | Where-Object Status -eq 'Failed').OriginalPath | Should -Be $cfg
        @($m.Artifacts | Where-Object Status -eq 'Completed').Count | Should -BeGreaterThan 5
    }

    It 'refuses a config path that does not exist' {
        Backup-DoltConfiguration -Path $server.Backup -ConfigPath (Join-Path $server.Root 'nope.yaml') -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.ConfigurationNotFound,*'
    }
}
