using RewardML.Training;

namespace RewardML.Pretraining;

/// <summary>
/// What a pretraining checkpoint's <c>state.json</c> holds besides the weights and optimizer state: the run it belongs
/// to, the steps done and what the summary needs of them. The batches are a pure function of the seed and the step, so
/// these and the tensors continue the run exactly.
/// </summary>
/// <param name="RunKey">Hash of the packed sequences and every option that shapes the steps.</param>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="LossSum">Sum of the training losses of those steps (the summary's mean).</param>
/// <param name="Tokens">Tokens those steps read.</param>
/// <param name="Validation">The validation losses measured so far.</param>
internal sealed record PretrainingCheckpointState(string RunKey, int Step, double LossSum, long Tokens, List<PretrainingEvaluation> Validation) : TrainingCheckpoint.IRunState;
