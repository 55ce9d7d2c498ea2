namespace SdNative.Server;

/// <summary>Options that can't be served as given (an invocation error: the CLI exits 2 with the message).</summary>
public sealed class ServerConfigurationException(string message) : Exception(message);
