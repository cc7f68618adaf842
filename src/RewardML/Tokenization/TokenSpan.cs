namespace RewardML.Tokenization;

/// <summary>One token of an encoded text: its id and the characters <c>[Start, End)</c> of the text it covers.</summary>
/// <remarks>
/// A character that BPE splits into several byte-level tokens (an emoji, a rare CJK character) gives every one of those
/// tokens the whole character's range, so ends never decrease along a sequence but neighbouring ranges may coincide.
/// </remarks>
public readonly record struct TokenSpan(int Id, int Start, int End);
