namespace RewardML.Sandbox.Execution;

/// <summary>Bubblewrap (or the interpreter) is missing, so untrusted programs cannot be run safely.</summary>
public sealed class SandboxUnavailableException(string message) : InvalidOperationException(message);
