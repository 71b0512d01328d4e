using System.Collections.Generic;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// One benchmark, found by reflection: add a class in its own file and it is listed by
    /// `dotnet run -c Release --project benchmarks/DoltBackup.Benchmarks -- list`.
    /// </summary>
    public interface IBenchmark
    {
        /// <summary>Short name used on the command line, for example "import".</summary>
        string Name { get; }

        /// <summary>What it measures and its goal.</summary>
        string Description { get; }

        /// <summary>Runs the benchmark, printing its measurements and a final "ratio: X (goal: ...)" line. Returns 0 when the goal is met.</summary>
        int Run(IReadOnlyList<string> args);
    }
}
