using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RewardML.Tests.Examples;

/// <summary>How a snippet is checked: the marker on the line before its fence (<c>&lt;!-- snippet: compile-only (why) --&gt;</c>).</summary>
public enum SnippetCheck
{
    /// <summary>No marker: compiled as a program and run on the tiny data of <see cref="DocSnippets.PrepareFolder"/>.</summary>
    Run,

    /// <summary><c>compile-only</c>: needs what tests do not have (a Phi-4 checkpoint, a GPU); compiled, not run.</summary>
    CompileOnly,

    /// <summary><c>not-compiled</c>: not a program (class members shown as a pattern, internal helpers); the reason is required.</summary>
    NotCompiled,
}

/// <summary>A <c>```csharp</c> block of README.md or docs/*.md.</summary>
public sealed record DocSnippet(string File, int Line, string Code, SnippetCheck Check, string? Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Pulls the C# snippets out of the markdown and compiles them with Roslyn against the assemblies the tests use, as a
/// user's console project would (top-level statements, the SDK's implicit usings, nothing else), so docs cannot drift.
/// </summary>
public static partial class DocSnippets
{
    /// <summary>The repository root (the folder with RewardML.sln).</summary>
    public static string Root => RewardML.Tests.Shared.SharedFixtures.RepoRoot;

    /// <summary>Every C# snippet of README.md and docs/*.md, in file order.</summary>
    public static IReadOnlyList<DocSnippet> All()
    {
        var files = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        var snippets = new List<DocSnippet>();
        foreach (var path in files)
        {
            var lines = File.ReadAllLines(path);
            string name = Path.GetRelativePath(Root, path);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp") continue;
                int start = i;
                var code = new List<string>();
                while (++i < lines.Length && lines[i].Trim() != "```") code.Add(lines[i]);
                var marker = start > 0 ? Marker().Match(lines[start - 1]) : Match.Empty;
                var check = !marker.Success ? SnippetCheck.Run : marker.Groups["kind"].Value == "compile-only" ? SnippetCheck.CompileOnly : SnippetCheck.NotCompiled;
                snippets.Add(new DocSnippet(name, start + 1, string.Join('\n', code), check, marker.Success ? marker.Groups["why"].Value.Trim() : null));
            }
        }
        return snippets;
    }

    /// <summary>Compiles the snippet as a console program; returns the assembly bytes or fails the test with the compiler's errors.</summary>
    public static byte[] Compile(DocSnippet snippet)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.cs"),
            CSharpSyntaxTree.ParseText(snippet.Code, parse, snippet.ToString()),
        };
        var compilation = CSharpCompilation.Create($"Snippet_{Path.GetFileNameWithoutExtension(snippet.File)}_{snippet.Line}", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) Assert.Fail($"{snippet} does not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())) + "\n--- snippet:\n" + snippet.Code);
        return stream.ToArray();
    }

    /// <summary>Runs a compiled snippet with <paramref name="folder"/> as the working directory (its relative paths).</summary>
    public static void Run(byte[] assembly, string folder)
    {
        var context = new AssemblyLoadContext("snippet", isCollectible: true); // RewardML and ML.NET resolve to the test's own copies
        string previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = folder;
            var entry = context.LoadFromStream(new MemoryStream(assembly)).EntryPoint!;
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            context.Unload();
        }
    }

    // What a new console project (Microsoft.NET.Sdk, ImplicitUsings enable) has without any using of its own.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<List<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            try
            {
                AssemblyName.GetAssemblyName(path); // managed assemblies only
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (BadImageFormatException) { }
        }
        return references;
    });

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<kind>compile-only|not-compiled)\b(?<why>.*?)-->\s*$")]
    private static partial Regex Marker();
}
