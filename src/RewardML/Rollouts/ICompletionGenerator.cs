namespace RewardML.Rollouts;

/// <summary>
/// A text-completion backend that reports the log-probability and position of every sampled token: what branching
/// rollouts need to find low-probability tokens and to cut the completion before one of them.
/// </summary>
/// <remarks>
/// Two backends: <see cref="OpenAiCompletionsGenerator"/> (an OpenAI-compatible <c>/v1/completions</c> server such as
/// vLLM or llama.cpp) and an in-process model adapter. A branch rollout is requested as a plain completion whose
/// prompt is the original prompt followed by the branch prefix, so a backend needs no branching support of its own.
/// </remarks>
public interface ICompletionGenerator
{
    /// <summary>Samples one completion of <see cref="CompletionRequest.Prompt"/>.</summary>
    /// <exception cref="CompletionException">The backend failed or answered something unusable; the message says why.</exception>
    Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One sampling request.</summary>
/// <param name="Prompt">The text to continue.</param>
/// <param name="MaxTokens">The most tokens to sample.</param>
/// <param name="Temperature">Sampling temperature (0 = greedy).</param>
/// <param name="TopP">Nucleus sampling mass (1 = off).</param>
/// <param name="Seed">Sampling seed; a deterministic backend returns the same completion for the same request.</param>
/// <param name="Stop">Strings that end the completion (not included in it).</param>
public sealed record CompletionRequest(
    string Prompt,
    int MaxTokens,
    double Temperature,
    double TopP,
    int Seed,
    IReadOnlyList<string> Stop);

/// <summary>A backend failed to produce a usable completion (HTTP error, timeout, malformed answer).</summary>
public sealed class CompletionException : Exception
{
    /// <summary>Creates the exception with a message that names the backend and what went wrong.</summary>
    public CompletionException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>
    /// True when the backend could not be reached at all (connection refused, unknown host, no route): every further
    /// request would fail the same way, so a run stops after a few of these in a row instead of retrying every problem.
    /// </summary>
    public bool Unreachable { get; init; }
}
