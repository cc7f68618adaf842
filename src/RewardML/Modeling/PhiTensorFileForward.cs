using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Runs a model over the inputs of a safetensors file and writes its outputs to another, so that any other
/// implementation (transformers, llama.cpp, ...) can be compared with this one on the same checkpoint.
/// </summary>
/// <remarks>
/// Input: every int64 tensor <c>NAME_input_ids</c> ([batch, seq] or [seq]) and, when present,
/// <c>NAME_attention_mask</c> of the same shape (1 = real token, right padding).
/// Output: <c>NAME_last_hidden</c> [batch, seq, hidden] (after the final norm) and <c>NAME_logits</c>
/// [batch, seq, vocab], both float32. Other input tensors are ignored.
/// </remarks>
public static class PhiTensorFileForward
{
    /// <summary>Suffix of the input id tensors.</summary>
    public const string InputIdsSuffix = "_input_ids";

    /// <summary>Suffix of the optional attention masks.</summary>
    public const string AttentionMaskSuffix = "_attention_mask";

    /// <summary>Reads <paramref name="inputPath"/>, runs <paramref name="model"/>, writes <paramref name="outputPath"/>.</summary>
    /// <returns>The names processed, in order.</returns>
    /// <exception cref="InvalidDataException">No input ids, a wrong dtype or shape, or an id outside the vocabulary.</exception>
    public static IReadOnlyList<string> Run(PhiRewardModel model, string inputPath, string outputPath)
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"{inputPath}: input file not found.", inputPath);
        using var input = SafetensorsFile.Open(inputPath);
        var names = input.Entries.Keys.Where(k => k.EndsWith(InputIdsSuffix, StringComparison.Ordinal))
            .Select(k => k[..^InputIdsSuffix.Length]).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new InvalidDataException($"{inputPath}: no tensor named '<name>{InputIdsSuffix}' found.");

        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            foreach (var name in names)
            {
                using var scope = NewDisposeScope();
                var ids = ReadIds(input, name + InputIdsSuffix, model.Config.VocabSize);
                Tensor? mask = null;
                if (input.Entries.ContainsKey(name + AttentionMaskSuffix))
                {
                    mask = ToBatch(input.Read(name + AttentionMaskSuffix), input.Source, name + AttentionMaskSuffix);
                    if (!mask.shape.SequenceEqual(ids.shape))
                        throw new InvalidDataException($"{inputPath}: '{name}{AttentionMaskSuffix}' has shape [{string.Join(", ", mask.shape)}], '{name}{InputIdsSuffix}' [{string.Join(", ", ids.shape)}].");
                }
                var output = model.Forward(ids.to(model.Device), mask?.to(model.Device), computeLogits: true);
                outputs[name + "_last_hidden"] = output.LastHidden.to(ScalarType.Float32).cpu().DetachFromDisposeScope();
                outputs[name + "_logits"] = output.Logits!.to(ScalarType.Float32).cpu().DetachFromDisposeScope();
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (folder is not null) Directory.CreateDirectory(folder);
            using var stream = File.Create(outputPath);
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, outputs);
        }
        finally
        {
            foreach (var t in outputs.Values) t.Dispose();
        }
        return names;
    }

    private static Tensor ReadIds(SafetensorsFile input, string key, int vocab)
    {
        if (input.Entries[key].DType != "I64")
            throw new InvalidDataException($"{input.Source}: '{key}' is {input.Entries[key].DType}; int64 (I64) token ids expected.");
        var ids = ToBatch(input.Read(key), input.Source, key);
        if (ids.numel() > 0 && (ids.min().item<long>() < 0 || ids.max().item<long>() >= vocab))
            throw new InvalidDataException($"{input.Source}: '{key}' holds ids outside the vocabulary [0, {vocab}).");
        return ids;
    }

    private static Tensor ToBatch(Tensor t, string source, string key) => t.dim() switch
    {
        1 => t.unsqueeze(0),
        2 => t,
        _ => throw new InvalidDataException($"{source}: '{key}' has shape [{string.Join(", ", t.shape)}]; [seq] or [batch, seq] expected."),
    };
}
