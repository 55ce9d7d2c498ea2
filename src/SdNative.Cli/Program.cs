using SdNative.Cli;

return await CliApp.RunAsync(args);
