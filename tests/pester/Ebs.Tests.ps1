# Pester 5: EBS volume discovery and the EBS services' user-visible behaviour (no AWS traffic).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force

    function New-FakeTree {
        param([string] $Root)
        $files = @{
            'proc/self/mountinfo'                 = "20 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw`n21 1 259:2 / /data rw - ext4 /dev/nvme1n1 rw`n22 1 0:30 / /scratch rw - tmpfs tmpfs rw`n"
            'sys/class/block/nvme0n1/dev'         = '259:0'
            'sys/class/block/nvme0n1p1/dev'       = '259:1'
            'sys/class/block/nvme0n1p1/partition' = '1'
            'sys/class/block/nvme1n1/dev'         = '259:2'
            'sys/block/nvme0n1/device/model'      = 'Amazon Elastic Block Store'
            'sys/block/nvme0n1/device/serial'     = 'vol0feed00000000000a'
            'sys/block/nvme1n1/device/model'      = 'Amazon Elastic Block Store'
            'sys/block/nvme1n1/device/serial'     = 'vol0123456789abcdef0'
        }
        foreach ($k in $files.Keys) {
            $path = Join-Path $Root $k
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            Set-Content -Path $path -Value $files[$k] -NoNewline
        }
        New-Item -ItemType Directory -Force -Path (Join-Path $Root 'sys/block/nvme0n1/nvme0n1p1') | Out-Null
    }
}

Describe 'EBS volume discovery' {
    BeforeEach {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("ebs-pester-" + [guid]::NewGuid())
        New-FakeTree -Root $root
        $discovery = [DoltBackup.Ebs.LinuxVolumeDiscovery]::new($root, [Func[string, string]] { param($p) $p })
    }
    AfterEach { Remove-Item -Recurse -Force $root }

    It 'turns the NVMe serial of the data dir''s disk into a volume id' {
        $v = $discovery.Discover([string[]] @('/data/dolt'))
        $v.VolumeId | Should -Be 'vol-0123456789abcdef0'
        $v.Device | Should -Be '/dev/nvme1n1'
    }

    It 'climbs from a partition to its disk' {
        $discovery.Discover([string[]] @('/var/lib/dolt')).VolumeId | Should -Be 'vol-0feed00000000000a'
    }

    It 'refuses a path on tmpfs with a clear error' {
        { $discovery.Discover([string[]] @('/scratch/dolt')) } | Should -Throw -ExpectedMessage '*not a block device*'
    }
}

Describe 'EBS tags' {
    It 'refuses reserved tag keys' {
        $own = [Collections.Generic.Dictionary[string, string]]::new()
        $user = [DoltBackup.Ebs.EbsTags]::FromHashtable(@{ 'aws:owner' = 'me' })
        { [DoltBackup.Ebs.EbsTags]::Build($own, $user) } | Should -Throw -ExpectedMessage '*reserved*'
    }
}

Describe 'AWS SDK loading' {
    # In a fresh pwsh: other files of the run (EBS restores) may load AWSSDK in this session.
    It 'does not load AWSSDK when the module is imported' {
        $pwsh = (Get-Process -Id $PID).Path
        $loaded = & $pwsh -NoProfile -NonInteractive -Command {
            param($Manifest)
            Import-Module $Manifest -ErrorAction Stop
            @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK*' }).Count
        } -args (Join-Path $PSScriptRoot '../../DoltBackup.psd1')
        $loaded | Should -Be 0
    }
}
