using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;
using DoltBackup.Storage;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>A point-in-time restore that fails says what kind of failure it was (its ErrorRecord's category), not NotSpecified.</summary>
    public sealed class PointInTimeFailureCategoryTests : IDisposable
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        public static IEnumerable<object[]> Failures() => new[]
        {
            new object[] { "io", ErrorCategory.ReadError, "DoltBackup.PointInTimeRestoreFailed" },
            new object[] { "unauthorized", ErrorCategory.PermissionDenied, "DoltBackup.PointInTimeRestoreFailed" },
            new object[] { "storage", ErrorCategory.ConnectionError, "DoltBackup.StorageEndpointUnreachable" },
            new object[] { "restore-engine", ErrorCategory.ResourceUnavailable, "DoltBackup.RestoreTargetBusy" },
            new object[] { "store-format", ErrorCategory.InvalidData, "DoltBackup.PointInTimeRestoreFailed" },
            new object[] { "other", ErrorCategory.NotSpecified, "DoltBackup.PointInTimeRestoreFailed" },
        };

        private static Exception Make(string kind) => kind switch
        {
            "io" => new IOException("disk read failed (test)"),
            "unauthorized" => new UnauthorizedAccessException("access denied (test)"),
            "storage" => new StorageException("StorageEndpointUnreachable", ErrorCategory.ConnectionError, "s3://b/x", "endpoint down (test)", "Check the endpoint."),
            "restore-engine" => new RestoreEngineException("busy (test)", "RestoreTargetBusy", ErrorCategory.ResourceUnavailable, "Wait."),
            "store-format" => new DoltBackup.DoltStore.DoltStoreFormatException("bad table file (test)"),
            _ => new InvalidOperationException("something else (test)"),
        };

        /// <summary>The failure comes while the restored copy's history is read.</summary>
        private void FailWhileReadingHistory(Exception e) => _dolt.OnCall = call =>
        {
            if (call.StartsWith("log ", StringComparison.Ordinal))
            {
                throw e;
            }
        };

        [Theory]
        [MemberData(nameof(Failures))]
        public void A_failure_is_reported_in_its_own_category(string kind, ErrorCategory category, string errorId)
        {
            var h = new PointInTimeHistory(_dolt, _dir.Combine("root"));
            var choices = PointInTimeSetSelector.Choose(new[] { h.SetA, h.SetB }, null, PointInTimeHistory.At(13, 30), new List<PlanProblem>());
            FailWhileReadingHistory(Make(kind));
            var results = new List<PointInTimeRestoreResult>();
            new PointInTimeRestorer(_dolt, new PointInTimeCallbacks { Result = results.Add })
                .Restore(choices, new PointInTimeOptions { MomentUtc = PointInTimeHistory.At(13, 30), NewName = "sales_1330" }, Array.Empty<string>(), CancellationToken.None);

            var r = Assert.Single(results);
            Assert.Equal(RestoreStatus.Failed, r.Status);
            Assert.Equal(category, r.ErrorCategory);
            Assert.Equal(errorId, "DoltBackup." + r.ErrorId);
            Assert.False(string.IsNullOrEmpty(r.RecommendedAction));
            Assert.False(_dolt.Databases.ContainsKey("sales_1330"));
        }

        [Fact]
        public void Restore_DoltBackup_AsOf_reports_access_denied_as_PermissionDenied()
        {
            string server = FakeServers.Register(_dolt);
            var h = new PointInTimeHistory(_dolt, _dir.Combine("root"));
            FailWhileReadingHistory(new UnauthorizedAccessException("access denied (test)"));
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -NewName sales_1330 -Confirm:$false", h.Root, PointInTimeHistory.At(13, 30), server);

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.PointInTimeRestoreFailed,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            Assert.Equal("sales_1330", e.TargetObject?.ToString());
        }
    }
}
