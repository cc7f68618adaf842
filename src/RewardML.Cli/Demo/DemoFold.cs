using System.Globalization;

namespace RewardML.Cli.Demo;

/// <summary>
/// One fold of a K-fold cross-validation by problem (<c>demo --fold I/K</c>): the seeded problem order is cut into K
/// near-equal parts; part I is the test set, part (I + 1) mod K the validation set, the rest train. Running every I of
/// one K holds out every problem exactly once, so K runs evaluate on all problems instead of one fifth of them.
/// </summary>
/// <remarks>With 100 problems and K = 5, fold 0 is the demo's default 60/20/20 split of the same seed.</remarks>
internal sealed record DemoFold
{
    /// <summary>The fewest folds: a test part, a validation part and at least one to train on.</summary>
    public const int MinCount = 3;

    /// <exception cref="ArgumentOutOfRangeException">count &lt; <see cref="MinCount"/>, or index outside [0, count).</exception>
    public DemoFold(int index, int count)
    {
        if (count < MinCount) throw new ArgumentOutOfRangeException(nameof(count), $"--fold I/K: K must be at least {MinCount} (test, validation and training parts), got {count}.");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), $"--fold I/K: I must be in 0..{count - 1} (0-based), got {index}.");
        (Index, Count) = (index, count);
    }

    /// <summary>The held-out part, 0-based.</summary>
    public int Index { get; }

    /// <summary>K, the number of parts.</summary>
    public int Count { get; }

    /// <summary>The part used for validation: the next one, wrapping around.</summary>
    public int ValidationIndex => (Index + 1) % Count;

    /// <summary>Parses <c>I/K</c> (e.g. <c>2/5</c>).</summary>
    /// <exception cref="FormatException">Not I/K with 0 ≤ I &lt; K and K ≥ 3.</exception>
    public static DemoFold Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= MinCount && i < k)
            return new DemoFold(i, k);
        throw new FormatException($"--fold: expected I/K with 0 <= I < K and K >= {MinCount} (e.g. 0/5 … 4/5), got '{text}'.");
    }

    /// <summary>The first and end (exclusive) position of part <paramref name="part"/> among <paramref name="n"/> problems.</summary>
    public (int Start, int End) Bounds(int part, int n) => (part * n / Count, (part + 1) * n / Count);

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
