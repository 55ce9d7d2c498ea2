using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`sdnative system`: what the engine detected on this machine.</summary>
public static class SystemCommand
{
    public static Command Create()
    {
        var command = new Command("system", "Print the CPU features, threads and backends the native engine detected.");
        command.SetAction(_ =>
        {
            var info = SystemInfo.Read();
            Console.WriteLine($"libsdnative {info.LibraryVersion}");
            Console.WriteLine($"cpu:      {info.CpuName}");
            Console.WriteLine($"cores:    {info.PhysicalCores} physical, {info.LogicalCores} logical; default threads {info.DefaultThreads}");
            Console.WriteLine($"features: {string.Join(' ', info.FeatureNames)}");
            Console.WriteLine($"kernels:  {info.BestCpuVariant.ToString().ToLowerInvariant()}");
            Console.WriteLine($"backends: {info.Backends}");
            return 0;
        });
        return command;
    }
}
