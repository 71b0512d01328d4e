using System;
using System.Linq;

namespace DoltBackup.Benchmarks
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            // First, before any benchmark type is touched: the import child must start with nothing of DoltBackup loaded.
            if (args.Length > 0 && args[0] == ImportBenchmark.ChildMode)
            {
                return ImportBenchmark.RunChild(args.Skip(1).ToArray());
            }
            var all = typeof(Program).Assembly.GetTypes()
                .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
                .Select(t => (IBenchmark)Activator.CreateInstance(t))
                .OrderBy(b => b.Name)
                .ToList();
            if (args.Length == 0 || args[0] == "list" || args[0] == "--help")
            {
                Console.WriteLine("usage: dotnet run -c Release --project benchmarks/DoltBackup.Benchmarks -- <name>|all [options]");
                foreach (var b in all)
                {
                    Console.WriteLine($"  {b.Name,-14} {b.Description}");
                }
                return args.Length == 0 ? 2 : 0;
            }
            var chosen = args[0] == "all" ? all : all.Where(b => b.Name == args[0]).ToList();
            if (chosen.Count == 0)
            {
                Console.Error.WriteLine($"No benchmark named '{args[0]}'. Run with 'list'.");
                return 2;
            }
            int rc = 0;
            foreach (var b in chosen)
            {
                Console.WriteLine($"== {b.Name}: {b.Description}");
                rc |= b.Run(args.Skip(1).ToList());
            }
            return rc;
        }
    }
}
