using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Bench;

/// <summary>
/// Writes a random checkpoint shaped like microsoft/Phi-4-mini-instruct (3.8B parameters, vocab 200064, hidden 3072,
/// intermediate 8192, 32 layers, 24 heads / 8 key-value heads, partial rotary 0.75, LongRoPE, tied embeddings),
/// bf16, in two shards with an index as the public one is. Tensors are generated and streamed to disk one chunk at a
/// time, so writing needs little memory.
/// </summary>
internal static class PhiBenchCheckpoint
{
    private const long ShardBytes = 5_000_000_000;

    public static int Write(Options options)
    {
        string dir = options.String("out");
        int layers = options.Int("layers", 32);
        new ComputeOptions { Device = "cpu" }.Resolve();
        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();

        var config = ConfigJson(layers);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var tensors = Tensors(layers);

        // Split into shards of at most ~5 GB, in order.
        var shards = new List<List<(string Name, long[] Shape)>> { new() };
        long size = 0;
        foreach (var t in tensors)
        {
            long bytes = t.Shape.Aggregate(2L, (a, b) => a * b);
            if (size + bytes > ShardBytes && shards[^1].Count > 0) { shards.Add([]); size = 0; }
            shards[^1].Add(t);
            size += bytes;
        }

        var weightMap = new JsonObject();
        long total = 0;
        using var generator = new Generator(1234, CPU);
        for (int s = 0; s < shards.Count; s++)
        {
            string file = $"model-{s + 1:00000}-of-{shards.Count:00000}.safetensors";
            total += WriteShard(Path.Combine(dir, file), shards[s], generator);
            foreach (var t in shards[s]) weightMap[t.Name] = file;
            Console.WriteLine($"{file}: {shards[s].Count} tensors, {clock.Elapsed.TotalSeconds:0}s");
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        long parameters = tensors.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        Console.WriteLine($"wrote {parameters:N0} parameters ({total / 1e9:0.00} GB bf16) to {dir} in {clock.Elapsed.TotalSeconds:0}s");
        return 0;
    }

    private static long WriteShard(string path, List<(string Name, long[] Shape)> tensors, Generator generator)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(2L, (a, b) => a * b);
            header[name] = new JsonObject
            {
                ["dtype"] = "BF16",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');

        // Random values don't change timings; drawing 3.8B of them would dominate the run on a small machine. So one
        // block of N(0, 0.02) values is drawn once and written at a shifting offset (tensors still differ).
        const int block = 16 << 20;
        using var random = (randn([2L * block], generator: generator) * 0.02f).to(ScalarType.BFloat16);
        using var unit = ones(block, ScalarType.BFloat16);
        byte[] randomBytes = random.bytes.ToArray(), unitBytes = unit.bytes.ToArray();
        int shift = 0;
        foreach (var (name, shape) in tensors)
        {
            long remaining = shape.Aggregate(1L, (a, b) => a * b);
            bool norm = name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name == "model.norm.weight";
            while (remaining > 0)
            {
                int n = (int)Math.Min(block, remaining);
                if (norm) stream.Write(unitBytes, 0, 2 * n);
                else stream.Write(randomBytes, 2 * shift, 2 * n);
                shift = (shift + 7919) % block;
                remaining -= n;
            }
        }
        return offset;
    }

    private static List<(string Name, long[] Shape)> Tensors(int layers)
    {
        const long vocab = 200064, hidden = 3072, inter = 8192, heads = 24, kvHeads = 8, headDim = 128;
        var list = new List<(string, long[])> { ("model.embed_tokens.weight", [vocab, hidden]) };
        for (int i = 0; i < layers; i++)
        {
            string p = $"model.layers.{i}.";
            list.Add((p + "input_layernorm.weight", [hidden]));
            list.Add((p + "self_attn.qkv_proj.weight", [(heads + 2 * kvHeads) * headDim, hidden]));
            list.Add((p + "self_attn.o_proj.weight", [hidden, heads * headDim]));
            list.Add((p + "post_attention_layernorm.weight", [hidden]));
            list.Add((p + "mlp.gate_up_proj.weight", [2 * inter, hidden]));
            list.Add((p + "mlp.down_proj.weight", [hidden, inter]));
        }
        list.Add(("model.norm.weight", [hidden]));
        return list;
    }

    /// <summary>The public Phi-4-mini-instruct config's shape; the 48 LongRoPE factors are synthetic (1.0 .. 1.5 short,
    /// 1 .. 40 long) — only their count matters here, and 512 tokens use the short ones.</summary>
    private static JsonObject ConfigJson(int layers) => new()
    {
        ["architectures"] = new JsonArray("Phi3ForCausalLM"),
        ["model_type"] = "phi3",
        ["attention_bias"] = false,
        ["attention_dropout"] = 0.0,
        ["bos_token_id"] = 199999,
        ["eos_token_id"] = 199999,
        ["pad_token_id"] = 199999,
        ["embd_pdrop"] = 0.0,
        ["resid_pdrop"] = 0.0,
        ["full_attn_mod"] = 1,
        ["hidden_act"] = "silu",
        ["hidden_size"] = 3072,
        ["initializer_range"] = 0.02,
        ["intermediate_size"] = 8192,
        ["interpolate_factor"] = 1,
        ["lm_head_bias"] = false,
        ["max_position_embeddings"] = 131072,
        ["mlp_bias"] = false,
        ["num_attention_heads"] = 24,
        ["num_hidden_layers"] = layers,
        ["num_key_value_heads"] = 8,
        ["original_max_position_embeddings"] = 4096,
        ["partial_rotary_factor"] = 0.75,
        ["rms_norm_eps"] = 1e-05,
        ["rope_scaling"] = new JsonObject
        {
            ["long_factor"] = new JsonArray(Enumerable.Range(0, 48).Select(i => (JsonNode)(1.0 + 39.0 * i / 47)).ToArray()),
            ["short_factor"] = new JsonArray(Enumerable.Range(0, 48).Select(i => (JsonNode)(1.0 + 0.5 * i / 47)).ToArray()),
            ["type"] = "longrope",
        },
        ["rope_theta"] = 10000.0,
        ["sliding_window"] = 262144,
        ["tie_word_embeddings"] = true,
        ["torch_dtype"] = "bfloat16",
        ["use_cache"] = true,
        ["vocab_size"] = 200064,
    };
}
