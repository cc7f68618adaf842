using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Data;

namespace RewardML.Scoring;

/// <summary>
/// Scores a CSV or JSONL file of any size with a loaded reward model (the <c>rewardml train</c> zip:
/// SegmentSteps → TokenizeForReward → RewardHead), chunk by chunk: memory does not grow with the file.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// **Rows.** The prompt and program are read as `mlContext.Data.LoadRewardRowsFromCsv/Jsonl` reads them: columns (keys)
/// `Prompt` and `Code`, matched exactly, in any case, or in snake_case; other columns are carried, unread, and no label is
/// needed. The output has the input's format, and holds every good input row unchanged, in input order, plus
///
/// | column | type | |
/// | -- | -- | -- |
/// | `StepScores` | JSON array of numbers (in CSV, the cell holds the array) | value at each step end; `null` for steps outside the window |
/// | `Score` | number | logit of the aggregated step values |
/// | `Probability` | number | calibrated probability |
/// | `StepTokenEnds` | JSON array of integers | token position of each step end (`-1` outside the window) |
/// | `CodeTokenStart` | integer | first token of the program |
///
/// `StepTokenEnds` and `CodeTokenStart` are there so that `rewardml eval` can compute value by position from the scored
/// file alone. JSONL: the keys are inserted before the object's closing brace, every other byte of the line kept. CSV: the
/// columns are appended (quoting is RFC 4180's, re-applied). An input column (key) whose name is one of those above in any
/// case — a user's own `score`, or an input scored before — is kept, renamed with the prefix `input_` (`score` →
/// `input_score`, again while the name is taken); only that key's bytes change. Non-finite numbers are `null` in JSON (CSV `Score`/`Probability` cells: `NaN`, `Infinity`).
///
/// **Long fields.** A prompt or program longer than the model can read (`MaxLength` tokens: see
/// `RewardSequenceBuilder.InputCharBudget`, about `MaxLength` × 128 characters) is cut to that before scoring, so time and
/// memory per row do not grow with the field; the row is still written unchanged, and the steps of the cut-off part,
/// all past the token window, are not listed in `StepScores`/`StepTokenEnds`.
///
/// **Bad rows** (unparseable JSON, a missing or non-text prompt/code, malformed CSV, a row the model throws on) go to the
/// errors file (`line,reason`, CSV; `line` is the 1-based line where the row starts) and every good row is still scored.
/// A chunk that throws is scored again row by row, so only the rows at fault are lost.
///
/// **Resume.** A run first writes `OUT.run.json` (the input's SHA-256, the model's identity, `BatchRows` and the shard);
/// `Resume` continues only an output whose run file matches this run, and refuses any other file without changing it. Each chunk of `BatchRows` input rows is appended whole: its errors first, then its scored rows, each
/// flushed. A record is complete when its line break is in the file. On `Resume`: a partial last record of either file is
/// cut; the input is read from the start, a row counting as done when its line is in the errors file or, otherwise, while
/// complete scored rows remain to be matched; scoring continues at the first row not done, and error records for later
/// lines (written before a kill hit the chunk's scored rows) are dropped. So no row is written twice or scored again.
/// Chunks are aligned to multiples of `BatchRows` input rows from the start of the file; with the same `BatchRows`, a run
/// killed between chunks and resumed gives the same bytes as an uninterrupted run.
/// ]]></format>
/// </remarks>
public sealed class ScoredFileWriter
{
    /// <summary>Options for <see cref="ScoredFileWriter"/>.</summary>
    public sealed class Options
    {
        /// <summary>Default values.</summary>
        public static class Defaults
        {
            /// <summary>Input rows per chunk.</summary>
            public const int BatchRows = 256;
        }

        /// <summary>Input rows read, scored and appended together (also the resume granularity). Default 256.</summary>
        public int BatchRows { get; set; } = Defaults.BatchRows;

        /// <summary>Continue an existing output instead of replacing it. Default false.</summary>
        public bool Resume { get; set; }

        /// <summary>The errors file; null (default) = the output path with extension <c>.errors.csv</c>.</summary>
        public string? ErrorsPath { get; set; }

        /// <summary>
        /// What identifies the model in the output's run file <c>OUT.run.json</c> (the CLI passes the zip's SHA-256), so that
        /// a resume with another model is refused; null (default) = not recorded.
        /// </summary>
        public string? ModelIdentity { get; set; }

        /// <summary>Score only the rows of this shard (by problem id, else by line: <see cref="Sharding.ShardSpec"/>); null (default) = every row.</summary>
        public Sharding.ShardSpec? Shard { get; set; }

        internal void Validate()
        {
            if (BatchRows < 1) throw new ArgumentOutOfRangeException(nameof(BatchRows), $"ScoredFileWriter: {nameof(BatchRows)} must be at least 1, got {BatchRows}.");
        }
    }

    private static readonly string[] Required = ScoredFileOutput.AddedNames;

    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly Options _options;
    private readonly RewardFields _fields = new(new RewardRowLoader.Options { RequireLabel = false });

    /// <summary>Creates a writer that scores with <paramref name="model"/>.</summary>
    /// <param name="mlContext">The context the model was loaded with.</param>
    /// <param name="model">A model whose output has StepScores, Score, Probability, StepTokenEnds and CodeTokenStart given Prompt and Code text.</param>
    /// <param name="options">Chunk size, resume, errors path; defaults when null.</param>
    /// <exception cref="InvalidDataException">The model does not make the columns above from Prompt and Code.</exception>
    public ScoredFileWriter(MLContext mlContext, ITransformer model, Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        _mlContext = mlContext;
        _model = model;
        _options = options ?? new Options();
        _options.Validate();
        CheckModel();
        _inputChars = Interop.RewardHeadExport.Flatten(model).OfType<Tokenization.TokenizeForRewardTransformer>().Select(t => t.InputCharBudget).DefaultIfEmpty(int.MaxValue).Min();
    }

    // The most characters of a prompt or program the model can read (its MaxLength tokens): a 50 MB field is cut to this
    // before it reaches the model, so the work per row (steps, tokens, scores) is bounded by what can be kept.
    private readonly int _inputChars;

    private string Cut(string text) => Tokenization.RewardSequenceBuilder.Cut(text, _inputChars);

    /// <summary>The format a path's extension says: <c>.jsonl</c>/<c>.ndjson</c> or <c>.csv</c>.</summary>
    /// <exception cref="ArgumentException">Another extension.</exception>
    public static ScoredFileFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => ScoredFileFormat.Jsonl,
        ".csv" => ScoredFileFormat.Csv,
        _ => throw new ArgumentException($"'{path}': use a .csv or .jsonl file."),
    };

    /// <summary>The errors file next to <paramref name="output"/>: <c>scored.jsonl</c> → <c>scored.errors.csv</c>.</summary>
    public static string DefaultErrorsPath(string output) => Path.ChangeExtension(output, ".errors.csv");

    /// <summary>Scores <paramref name="input"/> into <paramref name="output"/> (same format) and the errors file.</summary>
    /// <param name="input">The rows to score.</param>
    /// <param name="output">The scored rows; replaced, or continued with <see cref="Options.Resume"/>.</param>
    /// <param name="progress">Told after every chunk, on the calling thread.</param>
    /// <param name="cancellationToken">Checked between chunks: what was scored stays, and a resume continues from it.</param>
    /// <exception cref="ArgumentException">The files' extensions differ or are neither .csv nor .jsonl.</exception>
    /// <exception cref="RewardDataException">A CSV input lacks a prompt or code column.</exception>
    /// <exception cref="InvalidDataException">On resume, the output was not written by this run's input, model and options.</exception>
    public ScoredFileSummary Score(string input, string output, IProgress<ScoredFileProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var format = FormatOf(output);
        if (FormatOf(input) != format) throw new ArgumentException($"The output '{output}' must have the input's format ({Path.GetExtension(input)}).");
        if (!File.Exists(input)) throw new FileNotFoundException($"Input file '{input}' does not exist.", input);
        string errorsPath = _options.ErrorsPath ?? DefaultErrorsPath(output);
        foreach (string written in new[] { output, errorsPath, ScoredFileRun.PathFor(output) })
            if (SameFile.Is(written, input))
                throw new ArgumentException($"'{written}' is the input file '{input}' (or links to it); writing it would destroy the input. Choose another output path.");
        var clock = Stopwatch.StartNew();
        var run = ScoredFileRun.Of(input, _options.ModelIdentity, _options.BatchRows, _options.Shard);
        bool resume = _options.Resume && File.Exists(output);
        if (resume) run.RequireSameAs(output); // before anything is read or cut: a foreign file stays as it is

        using var reader = _options.Shard is { } shard
            ? new Sharding.ShardedScoredInput(ScoredFileInput.Open(input, format, _fields), shard, _fields)
            : ScoredFileInput.Open(input, format, _fields);
        var writer = ScoredFileOutput.For(format, reader.Header);
        long total = new FileInfo(input).Length;
        long done = 0;
        ScoredInputRow? pending = null;
        if (resume) (done, pending) = PrepareResume(reader, writer, format, output, errorsPath);
        else
        {
            run.Write(output);
            File.WriteAllBytes(output, writer.Header());
            File.WriteAllBytes(errorsPath, ScoredErrorsFile.HeaderBytes());
        }
        long resumed = done, scored = 0, errors = 0;
        progress?.Report(new ScoredFileProgress(resumed, 0, 0, resumed, reader.BytesRead, total, clock.Elapsed));

        using var outputFile = new FileStream(output, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var errorsFile = new FileStream(errorsPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        var chunk = new List<ScoredInputRow>(_options.BatchRows);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            chunk.Clear();
            long chunkEnd = (done / _options.BatchRows + 1) * _options.BatchRows; // aligned: the same chunks after a resume
            if (pending is not null) chunk.Add(pending);
            pending = null;
            while (done + chunk.Count < chunkEnd && reader.Next() is { } row) chunk.Add(row);
            if (chunk.Count == 0) break;

            var results = ScoreChunk(chunk);
            using var goodBuffer = new MemoryStream();
            using var badBuffer = new MemoryStream();
            var bad = chunk.Select((r, i) => (r, i)).Where(x => results[x.i].Error is not null).Select(x => (x.r.Line, results[x.i].Error!)).ToList();
            var good = chunk.Select((r, i) => (r, i)).Where(x => results[x.i].Error is null).Select(x => (x.r, results[x.i].Scores!)).ToList();
            ScoredErrorsFile.Write(badBuffer, bad);
            writer.Write(goodBuffer, good);
            // Errors first: a kill between the two appends leaves errors ahead of the scored rows, which resume drops.
            Append(errorsFile, badBuffer);
            Append(outputFile, goodBuffer);
            done += chunk.Count;
            scored += good.Count;
            errors += bad.Count;
            progress?.Report(new ScoredFileProgress(done, scored, errors, resumed, reader.BytesRead, total, clock.Elapsed));
        }
        progress?.Report(new ScoredFileProgress(done, scored, errors, resumed, total, total, clock.Elapsed));
        return new ScoredFileSummary(resumed, scored, errors, errorsPath, clock.Elapsed);
    }

    private static void Append(FileStream file, MemoryStream buffer)
    {
        if (buffer.Length == 0) return;
        buffer.Position = 0;
        buffer.CopyTo(file);
        file.Flush(flushToDisk: true);
    }

    private static (long Done, ScoredInputRow? Pending) PrepareResume(ScoredFileInput reader, ScoredFileOutput writer, ScoredFileFormat format, string output, string errorsPath)
    {
        byte[] header = writer.Header();
        var (records, end) = CompleteRecords.Scan(output, format);
        if (format == ScoredFileFormat.Csv)
        {
            if (records == 0)
            {
                File.WriteAllBytes(output, header);
                records = 1;
            }
            else
            {
                var start = new byte[header.Length];
                using (var stream = File.OpenRead(output)) stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
                if (!start.AsSpan().SequenceEqual(header))
                    throw new InvalidDataException($"{output}: its header is not the one this input gives; it was written from another file. Move it away to start afresh.");
                CompleteRecords.Truncate(output, end);
            }
            records--; // the header
        }
        else CompleteRecords.Truncate(output, end);

        var errorList = new List<(long Line, long Start)>();
        if (File.Exists(errorsPath) && CompleteRecords.Scan(errorsPath, ScoredFileFormat.Csv) is { Count: > 0 } errorsScan)
        {
            CompleteRecords.Truncate(errorsPath, errorsScan.End);
            errorList = ScoredErrorsFile.Read(errorsPath);
        }
        else File.WriteAllBytes(errorsPath, ScoredErrorsFile.HeaderBytes());
        var errorLines = errorList.Select(e => e.Line).ToHashSet();

        long done = 0, toMatch = records;
        ScoredInputRow? pending = null;
        while (reader.Next() is { } row)
        {
            if (errorLines.Contains(row.Line) || toMatch-- > 0)
            {
                done++;
                continue;
            }
            pending = row;
            break;
        }
        if (toMatch > 0)
            throw new InvalidDataException($"{output}: {records} scored rows, more than the input's rows that are not in {errorsPath}; it was written from another file. Move it away to start afresh.");
        if (pending is not null && errorList.FirstOrDefault(e => e.Line >= pending.Line) is { Start: > 0 } later)
            CompleteRecords.Truncate(errorsPath, later.Start);
        return (done, pending);
    }

    /// <summary>Per row of the chunk, its scores or why it has none.</summary>
    private (RowScores? Scores, string? Error)[] ScoreChunk(List<ScoredInputRow> chunk)
    {
        var results = new (RowScores?, string?)[chunk.Count];
        var good = new List<int>();
        for (int i = 0; i < chunk.Count; i++)
        {
            if (chunk[i].Error is { } error) results[i] = (null, error);
            else good.Add(i);
        }
        if (good.Count == 0) return results;
        try
        {
            var scores = Transform(good.Select(i => chunk[i]).ToList());
            for (int k = 0; k < good.Count; k++) results[good[k]] = (scores[k], null);
        }
        catch (Exception) when (good.Count > 1)
        {
            foreach (int i in good) results[i] = ScoreOne(chunk[i]); // find the rows at fault
        }
        catch (Exception e)
        {
            results[good[0]] = (null, Reason(e));
        }
        return results;
    }

    private (RowScores?, string?) ScoreOne(ScoredInputRow row)
    {
        try
        {
            return (Transform([row])[0], null);
        }
        catch (Exception e)
        {
            return (null, Reason(e));
        }
    }

    private static string Reason(Exception e)
    {
        // Past the wrappers (reflection, tasks, ML.NET's cursor plumbing) to the exception that says what is wrong.
        while (e.InnerException is not null &&
               (e is TargetInvocationException or AggregateException or TypeInitializationException || e.Source?.StartsWith("Microsoft.ML", StringComparison.Ordinal) == true))
            e = e.InnerException;
        return $"scoring failed: {ScoredErrorsFile.OneLine(e.Message)}";
    }

    private sealed class ScoringRow
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }

    private IDataView View(IEnumerable<ScoringRow> rows)
    {
        var definition = SchemaDefinition.Create(typeof(ScoringRow));
        definition[nameof(ScoringRow.Prompt)].ColumnName = _fields.Prompt.Name;
        definition[nameof(ScoringRow.Code)].ColumnName = _fields.Code.Name;
        return _mlContext.Data.LoadFromEnumerable(rows, definition);
    }

    private void CheckModel()
    {
        var schema = _model.GetOutputSchema(View([]).Schema);
        var missing = Required.Where(name => schema.GetColumnOrNull(name) is null).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The model does not output {string.Join(", ", missing)} (it outputs {string.Join(", ", schema.Select(c => c.Name))}); " +
                "score needs the chain SegmentSteps → TokenizeForReward → RewardHead that rewardml train saves.");
    }

    private List<RowScores> Transform(List<ScoredInputRow> rows)
    {
        var scored = _model.Transform(View(rows.Select(r => new ScoringRow { Prompt = Cut(r.Prompt!), Code = Cut(r.Code!) })));
        var columns = Required.Select(name => scored.Schema[name]).ToArray();
        var results = new List<RowScores>(rows.Count);
        using var cursor = scored.GetRowCursor(columns);
        var stepScores = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var score = cursor.GetGetter<float>(columns[1]);
        var probability = cursor.GetGetter<float>(columns[2]);
        var stepTokenEnds = cursor.GetGetter<VBuffer<int>>(columns[3]);
        var codeTokenStart = cursor.GetGetter<int>(columns[4]);
        VBuffer<float> steps = default;
        VBuffer<int> ends = default;
        float s = 0, p = 0;
        int start = 0;
        while (cursor.MoveNext())
        {
            stepScores(ref steps);
            score(ref s);
            probability(ref p);
            stepTokenEnds(ref ends);
            codeTokenStart(ref start);
            results.Add(new RowScores(steps.DenseValues().ToArray(), s, p, ends.DenseValues().ToArray(), start));
        }
        if (results.Count != rows.Count) throw new InvalidOperationException($"The model returned {results.Count} rows for {rows.Count}.");
        return results;
    }
}

/// <summary>Where a <see cref="ScoredFileWriter.Score"/> run stands, after each chunk.</summary>
/// <param name="Rows">Input rows done, those skipped on resume included.</param>
/// <param name="Scored">Rows scored in this run.</param>
/// <param name="Errors">Rows sent to the errors file in this run.</param>
/// <param name="Resumed">Rows found done when resuming (0 otherwise).</param>
/// <param name="BytesRead">Bytes of input read.</param>
/// <param name="TotalBytes">The input's size.</param>
/// <param name="Elapsed">Time since the run began.</param>
public sealed record ScoredFileProgress(long Rows, long Scored, long Errors, long Resumed, long BytesRead, long TotalBytes, TimeSpan Elapsed)
{
    /// <summary>Rows done in this run per second.</summary>
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? (Rows - Resumed) / Elapsed.TotalSeconds : 0;
}

/// <summary>What a <see cref="ScoredFileWriter.Score"/> run did.</summary>
/// <param name="Resumed">Rows found done in an existing output and skipped.</param>
/// <param name="Scored">Rows scored and written in this run.</param>
/// <param name="Errors">Rows written to the errors file in this run.</param>
/// <param name="ErrorsPath">The errors file.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ScoredFileSummary(long Resumed, long Scored, long Errors, string ErrorsPath, TimeSpan Elapsed);
