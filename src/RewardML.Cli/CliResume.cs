namespace RewardML.Cli;

/// <summary>
/// The <c>--resume</c> / <c>--resume-if-exists</c> rules of the verbs that checkpoint a long run (train, pretrain): an
/// earlier run's checkpoint is never silently continued or overwritten, and a stopped run says how to continue.
/// </summary>
internal static class CliResume
{
    /// <summary>True when the run continues from <paramref name="checkpoint"/>; throws for a checkpoint without a resume flag, or --resume without one.</summary>
    public static bool Check(string checkpoint, bool resume, bool resumeIfExists)
    {
        bool exists = Directory.Exists(checkpoint);
        if (exists && !resume && !resumeIfExists)
            throw new ArgumentException($"{checkpoint} holds a checkpoint of an earlier run: add --resume to continue it, or delete it to start over.");
        if (resume && !exists)
            throw new ArgumentException($"--resume: there is no checkpoint {checkpoint} to continue; drop --resume to start a new run (--resume-if-exists resumes only when there is one).");
        return exists;
    }

    /// <summary>The message of a run stopped by a signal <paramref name="at"/> (e.g. "at step 70 of 600"), naming the checkpoint and the flag to continue.</summary>
    public static CliStoppedException Stopped(string at, string checkpoint, OperationCanceledException cause) =>
        new($"stopped {at}; the checkpoint is in {checkpoint}: rerun the same command with --resume to continue.", cause);
}
