using System.Text.Json.Nodes;

namespace RewardML.Sandbox.Labelling;

/// <summary>One program to label: a candidates.jsonl line (<c>problem_id, candidate_id, code</c>, extra fields carried through).</summary>
/// <param name="ProblemId">The problem it answers.</param>
/// <param name="CandidateId">Its id, unique within the problem.</param>
/// <param name="Code">The Python program.</param>
/// <param name="Extra">The line's other fields, copied to its results line; may be empty.</param>
public sealed record Candidate(string ProblemId, string CandidateId, string Code, JsonObject Extra);
