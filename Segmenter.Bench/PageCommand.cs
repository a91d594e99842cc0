using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Segmenter.Bench;

/// <summary>
/// <c>page [--runs N] [--no-trace] [--trace-out DIR]</c>: the page as a fresh visitor's Chromium runs it without a GPU
/// (software WebGL, the flags CI's browser tests use). The built app runs as its own process; for each of N visitors
/// (a browser context each) the page is opened, Train is pressed with the defaults on the astronaut as soon as it is
/// enabled, and the page's own clock measures the longest main-thread task from the click until both 3D plots are
/// drawn (a PerformanceObserver's longtask entries) and the time from the stage chip reading "done" to both plots
/// drawn; also how long the page took from opening until Train was enabled (the work done before the page starts).
/// A Chromium trace of the click-to-plots span names what the longest task was made of. Targets: no task over 0.2 s,
/// plots within 1.0 s, in every run (exit code 1 otherwise).
/// </summary>
internal static class PageCommand
{
    public const double LongTaskTarget = 0.2, PlotsTarget = 1.0;

    /// <summary>The flags of the end-to-end tests' Chromium.</summary>
    private static readonly string[] ChromiumArgs = Chromium.Flags;

    // The trace's categories: the main thread's tasks (toplevel), what the page ran in them (devtools.timeline), the GL
    // calls and waits (gpu), the frame commits (cc) and the page's marks (blink.user_timing).
    private static readonly string[] TraceCategories = ["toplevel", "devtools.timeline", "gpu", "cc", "blink.user_timing"];

    // A kept trace also samples the JavaScript (shown as the functions inside each task by chrome://tracing or DevTools).
    private const string ScriptSamples = "disabled-by-default-v8.cpu_profiler";

    private const string PlotsDrawn = """
        () => ['color-scatter', 'code-scatter'].every(id => {
          const b = document.querySelector(`[data-testid='${id}']`), g = b && b.querySelector('.js-plotly-plot');
          return !!g && g.dataset.drawn === b.dataset.revision;
        })
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("page", args, ["--runs", "--trace-out"], ["--no-trace"]) is not { } cl) return Program.Ok;
        int runs = cl.Int("--runs") ?? 3;
        if (runs < 1) throw new UsageException("--runs must be at least 1.");
        bool trace = !cl.Flag("--no-trace");
        string? traceOut = cl.String("--trace-out");
        if (traceOut is not null && !trace) throw new UsageException("--trace-out needs the trace; drop --no-trace.");
        if (traceOut is not null) Directory.CreateDirectory(traceOut);
        var chromium = Chromium.Find() ?? throw new UsageException(Chromium.NotFound());

        await using var app = await AppProcess.StartAsync([], TimeSpan.FromSeconds(120));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs, Timeout = 60_000 });
        Console.WriteLine($"page: {chromium} {browser.Version} headless {string.Join(' ', ChromiumArgs)}; app pid {app.Id} at {app.BaseUrl}; " +
                          $"{Environment.ProcessorCount} cores, load average {LoadAverage()}; astronaut, defaults, {runs} fresh visitor(s){(trace ? ", traced" : "")}");
        Console.WriteLine("| run | open → Train enabled s | click → done s | longest task s (click → plots) | done → both plots s | plot updates ms (colour, codes) | the longest task, from the trace | met |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var longest = new List<double>();
        var plots = new List<double>();
        int missed = 0;
        for (int run = 1; run <= runs; run++)
        {
            var m = await VisitAsync(browser, app.BaseUrl, trace, traceOut is null ? null : Path.Combine(traceOut, $"page-run{run}.json"));
            longest.Add(m.Longest);
            plots.Add(m.Plots);
            bool met = m.Longest <= LongTaskTarget && m.Plots <= PlotsTarget;
            if (!met) missed++;
            Console.WriteLine($"| {run} | {F(m.Open)} | {F(m.Run)} | {F(m.Longest)} | {F(m.Plots)} | {m.Updates} | {m.Where} | {(met ? "yes" : "**no**")} |");
        }
        Console.WriteLine($"\nmedian of {runs}: longest task {F(Median(longest))} s (target ≤ {LongTaskTarget} s), done → both plots {F(Median(plots))} s " +
                          $"(target ≤ {PlotsTarget} s); {missed} run(s) missed a target; load average {LoadAverage()}");
        return missed == 0 ? Program.Ok : Program.Failed;
    }

    private sealed record Visit(double Open, double Run, double Longest, double Plots, string Updates, string Where);

    private static async Task<Visit> VisitAsync(IBrowser browser, string baseUrl, bool trace, string? traceFile)
    {
        await using var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        await page.AddInitScriptAsync("""
            window.__longTasks = [];
            new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
              .observe({ type: 'longtask', buffered: true });
            """);
        var opening = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync("""
            () => document.querySelector("[data-testid='image-info']")?.textContent.includes('astronaut')
               && !document.querySelector("[data-testid='train-button']")?.disabled
            """, null, new() { PollingInterval = 50 });
        double open = opening.Elapsed.TotalSeconds;

        var tracer = trace ? await Tracer.StartAsync(browser, traceFile is null ? TraceCategories : [.. TraceCategories, ScriptSamples]) : null;
        await page.EvaluateAsync("""
            () => {
              const t = window.__visit = { click: performance.now(), done: null };
              performance.mark('segmenter-click');
              const stage = () => document.querySelector("[data-testid='stage']");
              new MutationObserver(() => { if (t.done === null && stage()?.textContent.trim() === 'done') t.done = performance.now(); })
                .observe(document.body, { subtree: true, childList: true, characterData: true });
              document.querySelector("[data-testid='train-button']").click();
            }
            """);
        await page.WaitForFunctionAsync($"() => window.__visit.done !== null && ({PlotsDrawn})()", null, new() { Timeout = 600_000, PollingInterval = 50 });
        // A frame commit after the last draw belongs to it: wait two frames and a moment before reading the tasks.
        await page.EvaluateAsync("() => new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 200))))");
        var m = await page.EvaluateAsync<JsonElement>("""
            () => {
              const t = window.__visit;
              const plots = ['color-scatter', 'code-scatter'].map(id => document.querySelector(`[data-testid='${id}'] .js-plotly-plot`));
              const drawn = Math.max(...plots.map(g => Number(g.dataset.drawnAt)));
              const inRun = window.__longTasks.filter(([s, d]) => s + d >= t.click && s <= drawn + 100);
              return { run: (t.done - t.click) / 1000, plots: (drawn - t.done) / 1000, longest: Math.max(0, ...inRun.map(([, d]) => d)) / 1000,
                       window: drawn + 100 - t.click, updates: plots.map(g => g.dataset.drawMs).join(', ') };
            }
            """);
        string where = "";
        if (tracer is not null)
        {
            var events = await tracer.StopAsync();
            if (traceFile is not null) await File.WriteAllTextAsync(traceFile, JsonSerializer.Serialize(new { traceEvents = events }));
            where = TraceReading.LongestTask(events, "segmenter-click", m.GetProperty("window").GetDouble());
        }
        return new Visit(open, m.GetProperty("run").GetDouble(), m.GetProperty("longest").GetDouble(), m.GetProperty("plots").GetDouble(),
            m.GetProperty("updates").GetString() ?? "", where);
    }

    /// <summary>A browser-wide Chromium trace over the DevTools protocol, its events collected as they come.</summary>
    private sealed class Tracer
    {
        private readonly ICDPSession _session;
        private readonly List<JsonElement> _events = [];
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Tracer(ICDPSession session)
        {
            _session = session;
            session.Event("Tracing.dataCollected").OnEvent += (_, e) =>
            {
                if (e is { } data) lock (_events) foreach (var ev in data.GetProperty("value").EnumerateArray()) _events.Add(ev.Clone());
            };
            session.Event("Tracing.tracingComplete").OnEvent += (_, _) => _complete.TrySetResult();
        }

        public static async Task<Tracer> StartAsync(IBrowser browser, string[] categories)
        {
            var tracer = new Tracer(await browser.NewBrowserCDPSessionAsync());
            await tracer._session.SendAsync("Tracing.start", new()
            {
                ["traceConfig"] = new Dictionary<string, object> { ["includedCategories"] = categories, ["recordMode"] = "recordContinuously" },
                ["transferMode"] = "ReportEvents",
            });
            return tracer;
        }

        public async Task<List<JsonElement>> StopAsync()
        {
            await _session.SendAsync("Tracing.end");
            await _complete.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await _session.DetachAsync();
            lock (_events) return [.. _events];
        }
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string F(double x) => x.ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads a Chromium trace's renderer main thread: its longest task in a span that starts at a page mark, and what
/// the task was made of (the events inside it with the most time of their own).
/// </summary>
internal static class TraceReading
{
    private static readonly HashSet<string> TaskNames = ["ThreadControllerImpl::RunTask", "RunTask"];

    private sealed record Event(string Name, long Start, long Duration, string Detail);

    public static string LongestTask(IReadOnlyList<JsonElement> events, string mark, double spanMs)
    {
        var mainThreads = new HashSet<(long, long)>();
        foreach (var e in events)
            if (Str(e, "ph") == "M" && Str(e, "name") == "thread_name" && e.TryGetProperty("args", out var a) && Str(a, "name") == "CrRendererMain")
                mainThreads.Add((Num(e, "pid"), Num(e, "tid")));
        long? markAt = events.Where(e => Str(e, "name") == mark).Select(e => (long?)Num(e, "ts")).Min();
        if (markAt is null || mainThreads.Count == 0) return "(the trace has no mark or no renderer main thread)";
        long from = markAt.Value, to = from + (long)(spanMs * 1000);

        var byThread = events
            .Where(e => Str(e, "ph") == "X" && e.TryGetProperty("dur", out _) && mainThreads.Contains((Num(e, "pid"), Num(e, "tid"))))
            .GroupBy(e => (Num(e, "pid"), Num(e, "tid")))
            .ToDictionary(g => g.Key, g => g.Select(e => new Event(Str(e, "name") ?? "?", Num(e, "ts"), Num(e, "dur"), Detail(e))).OrderBy(e => e.Start).ThenByDescending(e => e.Duration).ToList());
        (Event Task, List<Event> Thread)? longest = null;
        foreach (var thread in byThread.Values)
            foreach (var e in thread)
                if (TaskNames.Contains(e.Name) && e.Start + e.Duration >= from && e.Start <= to && (longest is null || e.Duration > longest.Value.Task.Duration))
                    longest = (e, thread);
        if (longest is not { } found) return "(no task in the span)";

        // Each event's own time: its duration less that of the events directly inside it.
        var inside = found.Thread.Where(e => e != found.Task && e.Start >= found.Task.Start && e.Start + e.Duration <= found.Task.Start + found.Task.Duration).ToList();
        var own = new Dictionary<string, long>();
        var stack = new List<Event>();
        var ownTime = new Dictionary<Event, long>();
        foreach (var e in inside)
        {
            while (stack.Count > 0 && stack[^1].Start + stack[^1].Duration <= e.Start) stack.RemoveAt(stack.Count - 1);
            if (stack.Count > 0) ownTime[stack[^1]] -= e.Duration;
            ownTime[e] = e.Duration;
            stack.Add(e);
        }
        foreach (var (e, t) in ownTime)
        {
            var key = e.Detail.Length > 0 ? $"{e.Name} ({e.Detail})" : e.Name;
            own[key] = own.GetValueOrDefault(key) + t;
        }
        var outer = inside.Where(e => !TaskNames.Contains(e.Name)).OrderByDescending(e => e.Duration).FirstOrDefault();
        var top = own.Where(kv => kv.Value >= 5_000).OrderByDescending(kv => kv.Value).Take(4).Select(kv => $"{kv.Key} {kv.Value / 1000} ms");
        var where = outer is null ? "" : $"{outer.Name}{(outer.Detail.Length > 0 ? $" ({outer.Detail})" : "")}";
        return $"{found.Task.Duration / 1000} ms at +{(found.Task.Start - from) / 1e6:0.00} s{(where.Length > 0 ? $", {where}" : "")}: {string.Join(", ", top)}";
    }

    /// <summary>The script or timer behind an event, when its args say.</summary>
    private static string Detail(JsonElement e)
    {
        if (!e.TryGetProperty("args", out var a) || !a.TryGetProperty("data", out var d) || d.ValueKind != JsonValueKind.Object) return "";
        var fn = Str(d, "functionName");
        var url = Str(d, "url");
        if (string.IsNullOrEmpty(url) && string.IsNullOrEmpty(fn)) return "";
        var file = string.IsNullOrEmpty(url) ? "" : url[(url.LastIndexOf('/') + 1)..];
        return string.IsNullOrEmpty(fn) ? file : $"{fn} {file}".Trim();
    }

    private static string? Str(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Num(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? (long)v.GetDouble() : 0;
}
