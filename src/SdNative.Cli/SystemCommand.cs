using System.CommandLine;

namespace SdNative.Cli;

/// <summary>`sdnative system`: what the engine detected on this machine.</summary>
public static class SystemCommand
{
    public static Command Create() => Create(CliConsole.System());

    public static Command Create(CliConsole console)
    {
        var command = new Command("system", "Print the CPU features, threads and backends the native engine detected.");
        command.SetAction(_ =>
        {
            var info = SystemInfo.Read();
            var o = console.Out;
            o.WriteLine($"libsdnative {info.LibraryVersion}");
            o.WriteLine($"cpu:      {info.CpuName}");
            o.WriteLine($"cores:    {info.PhysicalCores} physical, {info.LogicalCores} logical; default threads {info.DefaultThreads}");
            o.WriteLine($"features: {string.Join(' ', info.FeatureNames)}");
            o.WriteLine($"kernels:  {CpuOption.NameOf(info.BestCpuVariant)}");
            o.WriteLine($"backends: {info.Backends}");
            o.WriteLine(info.Devices.Count == 0 ? "devices:  cpu" : "devices:  cpu; " + string.Join("; ", info.Devices));
            return 0;
        });
        return command;
    }
}
