using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>A point-in-time restore stopped midway (Ctrl+C) leaves no copy of the set behind.</summary>
    public sealed class PointInTimeCancellationTests : IDisposable
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private (List<string> Warnings, PointInTimeRestorer Restorer, List<PointInTimeSetChoice> Choices) Arrange(PointInTimeHistory h, DateTime moment)
        {
            var warnings = new List<string>();
            var problems = new List<PlanProblem>();
            var choices = PointInTimeSetSelector.Choose(new[] { h.SetA, h.SetB }, null, moment, problems);
            Assert.Empty(problems);
            // Ctrl+C arrives while the history of the restored copy is being read.
            _dolt.OnCall = call =>
            {
                if (call.StartsWith("log ", StringComparison.Ordinal))
                {
                    throw new OperationCanceledException();
                }
            };
            return (warnings, new PointInTimeRestorer(_dolt, new PointInTimeCallbacks { Warning = warnings.Add }), choices);
        }

        [Fact]
        public void A_stop_after_the_copy_was_made_drops_the_new_database_again()
        {
            var h = new PointInTimeHistory(_dolt, _dir.Combine("root"));
            var (warnings, restorer, choices) = Arrange(h, PointInTimeHistory.At(13, 30));

            Assert.Throws<OperationCanceledException>(() => restorer.Restore(choices, new PointInTimeOptions { MomentUtc = PointInTimeHistory.At(13, 30), NewName = "sales_1330" }, Array.Empty<string>(), CancellationToken.None));

            Assert.False(_dolt.Databases.ContainsKey("sales_1330"));
            Assert.Contains("drop sales_1330", _dolt.Calls);
            Assert.Contains(warnings, w => w.Contains("sales_1330") && w.Contains("dropped"));
        }

        [Fact]
        public void A_stop_during_an_in_place_restore_drops_the_scratch_copy_and_leaves_the_database_untouched()
        {
            var h = new PointInTimeHistory(_dolt, _dir.Combine("root"));
            var live = new FakeDoltEngine.Db();
            _dolt.Databases["sales"] = live;
            var before = _dolt.Databases.Keys.ToHashSet();
            var (warnings, restorer, choices) = Arrange(h, PointInTimeHistory.At(13, 30));

            Assert.Throws<OperationCanceledException>(() => restorer.Restore(choices, new PointInTimeOptions { MomentUtc = PointInTimeHistory.At(13, 30), Force = true }, new[] { "sales" }, CancellationToken.None));

            Assert.Equal(before.OrderBy(n => n), _dolt.Databases.Keys.OrderBy(n => n));
            Assert.Same(live, _dolt.Databases["sales"]);
            Assert.DoesNotContain(_dolt.Calls, c => c.StartsWith("restore ", StringComparison.Ordinal) && c.Contains("--force"));
            Assert.Contains(warnings, w => w.Contains("untouched"));
        }
    }
}
