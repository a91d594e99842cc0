using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>Every setting of <see cref="SettingFields"/> has its CLI option, and the CLI reports a bad value as the API does.</summary>
public sealed class SettingOptionsTests
{
    [Theory]
    [MemberData(nameof(UnusualSettings.Names), MemberType = typeof(UnusualSettings))]
    public void Every_setting_has_a_cli_option_that_parses(string name)
    {
        var f = UnusualSettings.Field(name);
        Assert.Equal($"--{string.Concat(name.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()))}", f.Option);
        string[] args = [..(f.LinkAlias == "k" ? [] : new[] { "--clusters", "7" }), f.Option, f.ToText(f.Get(UnusualSettings.Run))!];
        var p = SegmentCommand.Parameters(CommandLine.Parse(args, SegmentCommand.ValueOptions, []));
        Assert.Equal(f.Get(UnusualSettings.Run), f.Get(p));
        foreach (var old in f.OptionAliases)
        {
            string[] oldArgs = [..(f.LinkAlias == "k" ? [] : new[] { "--clusters", "7" }), old, f.ToText(f.Get(UnusualSettings.Run))!];
            Assert.Equal(f.Get(UnusualSettings.Run), f.Get(SegmentCommand.Parameters(CommandLine.Parse(oldArgs, SegmentCommand.ValueOptions, []))));
        }
    }

    [Theory]
    [MemberData(nameof(UnusualSettings.OutOfRange), MemberType = typeof(UnusualSettings))]
    public void An_out_of_range_value_gets_the_same_message_from_the_api_and_the_cli(string name, string value, string message)
    {
        var f = UnusualSettings.Field(name);
        var api = ReportParameters.Read(new JsonObject { [name] = JsonNode.Parse(value) });
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => api.Validate(long.MaxValue)).Message);
        string[] args = [..(f.Name == "clusters" ? [] : new[] { "--clusters", "4" }), f.Option, value];
        var cli = SegmentCommand.Parameters(CommandLine.Parse(args, SegmentCommand.ValueOptions, []));
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => cli.Validate(long.MaxValue)).Message);
    }
}
