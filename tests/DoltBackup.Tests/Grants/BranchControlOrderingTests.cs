using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Grants;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    public class BranchControlOrderingTests
    {
        private static BranchControlRow Row(string db, string branch, string user, string host, string perms = "write") => new BranchControlRow(db, branch, user, host, perms);

        [Fact]
        public void Reference_example_the_narrow_alice_row_goes_before_the_default_row()
        {
            // dolt-reference §7: ('db','main','alice','%','write') is rejected while ('%','%','%','%','write') exists.
            var broad = Row("%", "%", "%", "%");
            var narrow = Row("db", "main", "alice", "%");
            var sorted = BranchControlOrdering.Sort(new[] { broad, narrow });
            Assert.Same(narrow, sorted[0]);
            Assert.Same(broad, sorted[1]);
        }

        [Fact]
        public void Rows_recorded_from_Dolt_2_2_2_come_out_in_an_order_Dolt_accepts_whatever_the_input_order()
        {
            var recorded = DoltServerRecording.Snapshot().BranchControl;
            var expected = new[]
            {
                "(sales, feature%, app, 10.0.%, write)",
                "(sales, main, reporter, %, read)",
                "(%, %, root, localhost, admin)",
                "(%, %, %, %, read)",
            };
            var rnd = new Random(7);
            for (int i = 0; i < 20; i++)
            {
                var shuffled = recorded.OrderBy(_ => rnd.Next()).ToList();
                Assert.Equal(expected, BranchControlOrdering.Sort(shuffled).Select(r => r.ToString()));
            }
        }

        [Theory]
        [InlineData("feat%", "feature%")]     // a longer prefix is narrower
        [InlineData("a%", "a_%")]             // same literals: the longer minimum match is narrower
        [InlineData("a%", "a")]               // same literals and length: fewer '%' is narrower
        [InlineData("%", "main")]
        [InlineData("m_in", "main")]
        public void The_narrower_branch_expression_sorts_first(string broader, string narrower)
        {
            var b = Row("db", broader, "u", "%");
            var n = Row("db", narrower, "u", "%");
            Assert.Same(n, BranchControlOrdering.Sort(new[] { b, n })[0]);
            Assert.Same(n, BranchControlOrdering.Sort(new[] { n, b })[0]);
        }

        [Fact]
        public void Every_row_goes_before_each_broader_row_that_covers_it()
        {
            // Property check over many generated rows: when B's expressions match all of A's literal values,
            // A (a literal row) must not come after B.
            var values = new[] { "sales", "main", "feature1", "app", "10.0.0.1", "%", "s%", "feat%", "m_in", "10.0.%", "a%", "_pp" };
            var rnd = new Random(11);
            var rows = new List<BranchControlRow>();
            for (int i = 0; i < 300; i++)
            {
                rows.Add(Row(values[rnd.Next(values.Length)], values[rnd.Next(values.Length)], values[rnd.Next(values.Length)], values[rnd.Next(values.Length)]));
            }
            var sorted = BranchControlOrdering.Sort(rows);
            bool IsLiteral(BranchControlRow r) => !(r.Database + r.Branch + r.User + r.Host).Any(c => c == '%' || c == '_');
            int checkedPairs = 0;
            for (int i = 0; i < sorted.Count; i++)
            {
                if (!IsLiteral(sorted[i]))
                {
                    continue;
                }
                for (int j = 0; j < i; j++)
                {
                    var earlier = sorted[j];
                    if (!IsLiteral(earlier) && BranchControlOrdering.RowMatches(earlier, sorted[i].Database, sorted[i].Branch, sorted[i].User, sorted[i].Host))
                    {
                        Assert.Fail($"{earlier} covers {sorted[i]} but was placed before it");
                    }
                    checkedPairs++;
                }
            }
            Assert.True(checkedPairs > 0);
        }

        [Fact]
        public void The_order_is_deterministic_for_rows_of_equal_specificity()
        {
            var a = Row("db", "b1", "u", "%");
            var b = Row("db", "b2", "u", "%");
            Assert.Equal(new[] { a, b }, BranchControlOrdering.Sort(new[] { b, a }));
            Assert.Equal(new[] { a, b }, BranchControlOrdering.Sort(new[] { a, b }));
        }

        [Theory]
        [InlineData("%", "anything", true)]
        [InlineData("feature%", "feature-x", true)]
        [InlineData("feature%", "main", false)]
        [InlineData("m_in", "main", true)]
        [InlineData("m_in", "maain", false)]
        [InlineData("a\\%", "a%", true)]
        [InlineData("a\\%", "ab", false)]
        public void Like_matching_follows_percent_underscore_and_escapes(string expression, string value, bool matches)
        {
            Assert.Equal(matches, BranchControlOrdering.Matches(expression, value, ignoreCase: false));
        }

        [Fact]
        public void Namespace_rows_are_ordered_by_the_same_rules()
        {
            var broad = new BranchNamespaceRow("%", "%", "%", "%");
            var narrow = new BranchNamespaceRow("sales", "release%", "backup_op", "localhost");
            Assert.Same(narrow, BranchControlOrdering.Sort(new[] { broad, narrow })[0]);
        }
    }
}
