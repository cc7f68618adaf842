using System.Text.Json;
using System.Text.Json.Serialization;
using RewardML.Training;

namespace RewardML.Pretraining;

/// <summary>What a pretraining run did; written beside the checkpoint as <c>pretraining.json</c>.</summary>
/// <param name="Backbone">The tiny backbone's sizes.</param>
/// <param name="Seed">Seed of the initial weights and the corpus order.</param>
/// <param name="Documents">Documents tokenized.</param>
/// <param name="Characters">Their characters.</param>
/// <param name="CorpusTokens">Tokens of the training sequences (the corpus as trained on, without the held-out sequences).</param>
/// <param name="Steps">Optimizer steps run.</param>
/// <param name="TokensSeen">Tokens the steps read (more than <paramref name="CorpusTokens"/> when the corpus repeats).</param>
/// <param name="OutputVocabularySize">Tokens the loss predicted.</param>
/// <param name="OutputCoverage">Share of the training targets among them.</param>
/// <param name="MeanTrainingLoss">Mean training loss over the steps (nats per kept target).</param>
/// <param name="Validation">Validation loss before the first step and then every <c>EvaluationSteps</c>.</param>
/// <param name="Seconds">Wall time, corpus tokenizing included.</param>
public sealed record PretrainingSummary(
    TinyPhiSpec Backbone, int Seed, int Documents, long Characters, long CorpusTokens, int Steps, long TokensSeen,
    int OutputVocabularySize, double OutputCoverage, double MeanTrainingLoss, IReadOnlyList<PretrainingEvaluation> Validation, double Seconds)
{
    /// <summary>The step this run resumed from (its checkpoint's), or null for a run from the start; <c>Seconds</c> is then this run's part.</summary>
    public int? ResumedFrom { get; init; }

    /// <summary>The tokenizer the corpus was tokenized with, in <c>--tokenizer</c> form (<c>phi4</c>, <c>phi4-mini</c>, <c>folder:PATH</c>); null in files written before it was recorded.</summary>
    public string? Tokenizer { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes this summary as JSON to <paramref name="path"/>.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a summary written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a pretraining summary.</exception>
    public static PretrainingSummary Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PretrainingSummary>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a {CodeLanguageModelPretrainer.SummaryFile} ({e.Message}).", e);
        }
    }
}

/// <summary>The validation loss at one step of pretraining (step 0: before training).</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Loss">Mean next-token loss on the held-out sequences (nats per kept target).</param>
public sealed record PretrainingEvaluation(int Step, double Loss);

/// <summary>Progress of pretraining, reported after every step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps planned.</param>
/// <param name="Loss">This step's training loss.</param>
/// <param name="ValidationLoss">The validation loss when it was measured at this step; otherwise null.</param>
/// <param name="TokensPerSecond">Tokens trained per second so far.</param>
/// <param name="Elapsed">Wall time so far.</param>
public sealed record PretrainingProgress(int Step, int Steps, double Loss, double? ValidationLoss, double TokensPerSecond, TimeSpan Elapsed);
