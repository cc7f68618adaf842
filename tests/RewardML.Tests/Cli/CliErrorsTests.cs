using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using RewardML.Cli;
using RewardML.Persistence;
using RewardML.Tests.Persistence;

namespace RewardML.Tests.Cli;

[TestClass]
public sealed class CliErrorsTests
{
    [TestMethod]
    public void UnwrapsNestedReflectionAndTypeInitializerWrappers()
    {
        var ours = new InvalidDataException("model.zip: component 'X' is corrupt.");
        var wrapped = new TargetInvocationException(new TypeInitializationException("T", new TargetInvocationException(new AggregateException(ours))));

        Assert.AreSame(ours, CliErrors.Unwrap(wrapped));
    }

    [TestMethod]
    public void KeepsAnExceptionThatIsNotAWrapper()
    {
        var plain = new InvalidOperationException("outer", new IOException("inner"));
        Assert.AreSame(plain, CliErrors.Unwrap(plain));
        var several = new AggregateException(new IOException("a"), new IOException("b"));
        Assert.AreSame(several, CliErrors.Unwrap(several));
    }

    [TestMethod]
    public void PlainMLNetLoadOfANewerModelUnwrapsToOurOneLineMessage()
    {
        // ML.NET invokes our loader by reflection and wraps its error twice; the CLI must show our line, not "Exception has been thrown…".
        var path = PersistenceFixture.SaveMixedChain();
        PersistenceFixture.RewriteComponentEntry(path, "component.json",
            bytes =>
            {
                var manifest = JsonNode.Parse(bytes)!.AsObject();
                manifest["stateVersion"] = 5;
                return Encoding.UTF8.GetBytes(manifest.ToJsonString());
            });
        var ml = RewardMLComponents.Register(new MLContext());

        var error = Assert.Throws<Exception>(() => ml.Model.Load(path, out _));

        Assert.IsInstanceOfType<TargetInvocationException>(error);
        var shown = CliErrors.Unwrap(error);
        Assert.IsInstanceOfType<InvalidDataException>(shown);
        StringAssert.Contains(shown.Message, "was saved by a newer RewardML");
    }
}
