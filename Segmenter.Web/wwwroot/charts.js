// The page's charts, drawn with plotly.js directly. Plot data arrive as byte[] from .NET, which Blazor Server sends
// as binary and hands over as Uint8Array: no per-point JSON, colour or text strings cross the circuit. Every draw
// runs in its own later task (never inside the interop call), the newest request per chart winning, so the page
// stays responsive and a burst of results draws only the last.

// plotly.js ships with Plotly.Blazor; its own loader is reused so both load the one copy.
const plotlySource = './_content/Plotly.Blazor/plotly-3.7.0.min.js';
const plotlyLoader = './_content/Plotly.Blazor/plotly-interop-7.2.0.js';
let plotlyLoading = null;

function plotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    plotlyLoading ??= import(plotlyLoader).then(m => m.importScript('plotly-import', plotlySource)).then(scriptLoaded)
        .catch(e => { plotlyLoading = null; throw e; });
    return plotlyLoading;
}

/**
 * Loads plotly.js and makes the 3D scenes; the page calls it before it starts Blazor. Evaluating plotly's 4.8 MB is one
 * long task that nothing can cut up, and making a scene is a few (its WebGL context, shader programs, axis labels
 * turned into geometry): done before the page is interactive, none of them lands between a visitor's first click and
 * the result. A scene still unmade after `waitMs` goes on being made while the page starts.
 */
export async function preloadPlotly(waitMs = 10000) {
    await plotly();
    await Promise.race([warmScenes(), new Promise(ok => setTimeout(ok, waitMs))]);
}

// The loader resolves at once when its <script> tag already exists, loaded or not: a page with a Plotly.Blazor chart
// (the run page's loss curve) adds that tag first, so plotly.js may still be on its way. Wait for the tag's load.
function scriptLoaded() {
    if (window.Plotly) return window.Plotly;
    const tag = document.getElementById('plotly-import');
    if (!tag) throw new Error('plotly.js was not loaded');
    return new Promise((ok, fail) => {
        tag.addEventListener('load', () => window.Plotly ? ok(window.Plotly) : fail(new Error('plotly.js loaded without Plotly')), { once: true });
        tag.addEventListener('error', () => fail(new Error(`plotly.js failed to load from ${tag.src}`)), { once: true });
    });
}

const config = { responsive: true, displaylogo: false };

// ---- theme ----

function isDark() { return document.documentElement.dataset.theme === 'dark'; }

/** Relayout keys that theme a chart; the same keys are set on a new chart's layout. */
function themeUpdate(layout) {
    const fg = isDark() ? '#e0e0e0' : '#444444', grid = isDark() ? '#4a4a4a' : '#e5e5e5';
    const u = { 'font.color': fg, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };
    for (const key of Object.keys(layout || {})) {
        if (/^[xy]axis\d*$/.test(key)) { u[key + '.gridcolor'] = grid; u[key + '.zerolinecolor'] = grid; u[key + '.linecolor'] = grid; }
        if (/^scene\d*$/.test(key)) for (const a of ['xaxis', 'yaxis', 'zaxis']) { u[`${key}.${a}.gridcolor`] = grid; u[`${key}.${a}.color`] = fg; }
    }
    return u;
}

function themed(layout) {
    for (const [path, value] of Object.entries(themeUpdate(layout))) {
        const keys = path.split('.');
        let o = layout;
        for (const k of keys.slice(0, -1)) o = o[k] ??= {};
        o[keys[keys.length - 1]] = value;
    }
    return layout;
}

/** Re-themes a plot whose layout does not match the page's theme (one drawn by Plotly.Blazor, say). */
function matchTheme(g) {
    if (!window.Plotly || !g.layout) return;
    const update = themeUpdate(g.layout);
    if (g.layout.font?.color !== update['font.color']) window.Plotly.relayout(g, update);
}

// Charts this module does not draw (Plotly.Blazor's k sweep and compare view) are themed when plotly makes them
// (it adds the js-plotly-plot class) and after each redraw, so one drawn after a theme switch starts in that theme.
let themingNewCharts = false;
function themeNewCharts() {
    if (themingNewCharts) return;
    themingNewCharts = true;
    new MutationObserver(records => {
        for (const r of records) {
            const g = r.target;
            if (!g.classList?.contains('js-plotly-plot') || g.segmenterThemed) continue;
            g.segmenterThemed = true;
            g.on?.('plotly_afterplot', () => matchTheme(g));
            matchTheme(g);
        }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] });
}

/** Whether the system prefers dark; later changes are reported to dotnet.SystemThemeChanged(dark). */
export function followSystemTheme(dotnet) {
    themeNewCharts();
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    query.addEventListener('change', e => dotnet.invokeMethodAsync('SystemThemeChanged', e.matches));
    return query.matches;
}

/** Switches the page's chart theme and re-themes every plot on it (those drawn by Plotly.Blazor too). */
export function setTheme(dark) {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    if (!window.Plotly) return;
    for (const g of document.querySelectorAll('.js-plotly-plot')) matchTheme(g);
}

// ---- scheduling: one pending draw per chart, each in its own task ----

const pending = new Map();

function schedule(el, draw) {
    const first = !pending.has(el);
    pending.set(el, draw);
    if (!first) return;
    setTimeout(async () => {
        const latest = pending.get(el);
        pending.delete(el);
        if (!el.isConnected) return;
        const Plotly = await plotly();
        await latest(Plotly);
    }, 0);
}

function drawn(el, revision) {
    el.dataset.drawn = String(revision);
    el.dataset.drawnAt = String(performance.now());
}

function floats(bytes) {
    // A copy: the view of a Uint8Array's buffer need not be 4-byte aligned.
    return new Float32Array(bytes.slice().buffer);
}

// plotly draws a 3D marker as its symbol's glyph tessellated into triangles, for every point: a circle ('●') is
// dozens of triangles, a square two. Without a GPU the renderer rasterises them all in software at each frame commit;
// at 2 px a square and a circle look the same.
const pointSymbol = 'square';

// ---- 3D scenes in software WebGL ----
// Without a GPU (Chromium with --disable-gpu, VMs, remote desktops) WebGL is rasterised by SwiftShader or llvmpipe,
// and the browser composites a WebGL canvas by reading its pixels back on the main thread at each frame commit; any
// read a script asks for waits for the renderer to finish too. Both grow with the canvas's pixels and with every
// pass drawn. So in software a scene is made at the screen's own pixel ratio (plotly's default is 2, four times the
// pixels on an ordinary screen), without multisampling, and without plotly's hover picking: picking draws the whole
// scene a second time into an offscreen buffer after every change and reads that buffer back in a timer. The plots
// stay rotatable and zoomable; their legend and caption carry what a hover label would say. With a GPU these
// costs are small and plotly's defaults stay.

let softwareGl = null;

/** Whether WebGL runs on a software rasteriser here; asked once, on a throwaway context. */
function isSoftwareGl() {
    if (softwareGl !== null) return softwareGl;
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return softwareGl = true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    softwareGl = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i.test(renderer);
    document.documentElement.dataset.softwareGl = String(softwareGl);
    return softwareGl;
}

let sceneConfigValue = null;

/** One object for every call: plotly redraws a plot from scratch when react is given a config that differs. */
function sceneConfig() {
    return sceneConfigValue ??= isSoftwareGl() ? { ...config, plotGlPixelRatio: Math.max(1, window.devicePixelRatio || 1) } : config;
}

/** Runs plotly's scene set-up with WebGL contexts made without multisampling when the renderer is software. */
async function withSceneContext(make) {
    if (!isSoftwareGl()) return make();
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, attributes) {
        return getContext.call(this, type, /webgl/.test(type) ? { ...attributes, antialias: false, preserveDrawingBuffer: false } : attributes);
    };
    try { return await make(); }
    finally { HTMLCanvasElement.prototype.getContext = getContext; }
}

/**
 * Turns off plotly's hover picking in a software-rendered scene. plotly has no setting for it: the scene (gl-plot3d)
 * draws a pick pass for every object with pick slots, so the scatter objects' shared prototype gets none, and one
 * object is taken out and put back so the scene drops the pick buffers it has already made.
 */
function withoutPicking(g) {
    if (!isSoftwareGl()) return;
    const glplot = g._fullLayout?.scene?._scene?.glplot;
    const object = glplot?.objects?.[0];
    if (!object) return;
    Object.getPrototypeOf(object).pickSlots = 0;
    glplot.remove(object);
    glplot.add(object);
}

// ---- 3D scenes: made ahead, in small steps ----
// Setting up a WebGL scene (its context, shader programs, axis labels drawn into geometry) is what makes a 3D plot
// slow to appear; giving an existing scene new data is not. So one scene of each kind is made as soon as the page
// is up, before any result exists, and results only restyle it. A set-up is cut into steps, each in its own task
// with a frame between them, so none blocks the page for long; a result that arrives first waits for its scene.

// One scene of each kind: the colour plot's axes (R, G, B over 0–255, their tick labels drawn into geometry) are
// the same for every result, so a scene made with them has nothing left to set up when the first result arrives.
const sceneKinds = ['rgb', 'codes'];

// kind -> a promise of a scene nobody shows (made ahead, or handed back by a plot that went away)
const scenePool = new Map();
let warming = null;

function nextTask() {
    return new Promise(ok => requestAnimationFrame(() => setTimeout(ok, 0)));
}

async function makeScene(Plotly, kind) {
    const g = document.createElement('div');
    g.dataset.sceneKind = kind;
    sceneHolder().appendChild(g);
    const at = c => kind === 'rgb' ? 60 * c + 30 : c;
    const point = c => ({ type: 'scatter3d', mode: 'markers', x: [at(c)], y: [at(c)], z: [at(c)], marker: { size: 2, color: '#888888', symbol: pointSymbol } });
    const layout = sceneLayout(kind, 400);
    // The WebGL context and the points' programs, without axes; then the axes and their labels; then the shapes a
    // result brings (a trace per cluster, diamond centres with an outline, a legend), so nothing is left to compile
    // when the first result arrives.
    const bare = { ...layout, scene: { ...layout.scene, xaxis: { visible: false }, yaxis: { visible: false }, zaxis: { visible: false } } };
    await withSceneContext(() => Plotly.newPlot(g, [point(0)], bare, sceneConfig()));
    withoutPicking(g);
    await nextTask();
    await Plotly.react(g, [point(0)], layout, sceneConfig());
    await nextTask();
    const warm = [0, 1, 2, 3].map(point);
    warm.push({ type: 'scatter3d', mode: 'markers', x: [at(0)], y: [at(1)], z: [at(2)], marker: { size: 7, symbol: 'diamond', color: ['#888888'], line: { color: '#000000', width: 2 } } });
    await Plotly.react(g, warm, layout, sceneConfig());
    await nextTask();
    // Then result-sized clouds, twice: plotly's first updates with thousands of points are several times slower than
    // the ones after (its per-point code not yet optimised, its vertex buffers grown), and they belong here, not to
    // a visitor's first result.
    for (let round = 0; round < 2; round++) {
        await Plotly.react(g, warmCloud(kind), layout, sceneConfig());
        await nextTask();
    }
    return g;
}

/** About as many points as a result brings (the engine sends at most 5,000), in 4 clusters and their centres. */
function warmCloud(kind) {
    const span = kind === 'rgb' ? 255 : 2, shift = kind === 'rgb' ? 0 : -1;
    const coords = n => Float32Array.from({ length: n }, () => shift + span * Math.random());
    const data = [0, 1, 2, 3].map(() => ({ type: 'scatter3d', mode: 'markers', x: coords(1250), y: coords(1250), z: coords(1250), marker: { size: 2, color: '#888888', symbol: pointSymbol } }));
    data.push({ type: 'scatter3d', mode: 'markers', x: coords(4), y: coords(4), z: coords(4), marker: { size: 7, symbol: 'diamond', color: '#888888', line: { color: '#000000', width: 2 } } });
    return data;
}

function sceneHolder() {
    let holder = document.getElementById('segmenter-scene-pool');
    if (!holder) {
        holder = document.createElement('div');
        holder.id = 'segmenter-scene-pool';
        holder.setAttribute('aria-hidden', 'true');
        holder.style.cssText = 'position:fixed;left:-10000px;top:0;width:400px;height:340px;overflow:hidden;';
        document.body.appendChild(holder);
    }
    return holder;
}

function warmScenes() {
    warming ??= (async () => {
        const Plotly = await plotly();
        for (const kind of sceneKinds) {
            if (scenePool.has(kind)) continue;
            const made = makeScene(Plotly, kind);
            scenePool.set(kind, made);
            await made;
        }
        document.documentElement.dataset.scenesReady = 'true';
    })();
    return warming;
}

/** Starts making the 3D scenes (once); the page calls it after its first render. */
export function warmUp() { warmScenes(); }

// The 3D plots draw one after the other, each in its own frame: a scene paints in the frame after its update,
// and two paints in one frame would make one long task of both.
let sceneTurn = Promise.resolve();

function inTurn(draw) {
    const turn = sceneTurn.then(draw).then(nextTask);
    sceneTurn = turn.catch(() => { });
    return turn;
}

/** The plot inside a scatter's host element: the pool's scene of its kind the first time (made now if none is under way). */
async function sceneIn(host, kind, Plotly) {
    let g = host.querySelector('.js-plotly-plot');
    if (!g) {
        const pooled = scenePool.get(kind) ?? makeScene(Plotly, kind);
        scenePool.set(kind, null); // taken: the warm-up makes no other of this kind
        g = await pooled;
        host.appendChild(g);
        let width = host.clientWidth;
        new ResizeObserver(() => {
            if (host.clientWidth === width || !host.clientWidth || !g.layout) return;
            width = host.clientWidth;
            window.Plotly.relayout(g, { width });
        }).observe(host);
    }
    return g;
}

// ---- 3D scatters ----

/** A 3D scatter's layout; kind as in scatter3d. */
function sceneLayout(kind, width, uirevision) {
    const axis = (t, range) => range ? { title: { text: t }, range } : { title: { text: t } };
    return themed({
        width, height: 340, margin: { l: 0, r: 0, t: 0, b: 0 }, uirevision,
        showlegend: true, legend: { x: 0, y: 1, itemsizing: 'constant', font: { size: 10 }, bgcolor: 'rgba(0,0,0,0)' },
        scene: {
            hovermode: isSoftwareGl() ? false : 'closest',
            ...(kind === 'codes'
                ? { aspectmode: 'data', xaxis: axis('PC 1'), yaxis: axis('PC 2'), zaxis: axis('PC 3') }
                : { aspectmode: 'cube', xaxis: axis('R', [0, 255]), yaxis: axis('G', [0, 255]), zaxis: axis('B', [0, 255]) }),
        },
    });
}

/**
 * One trace per cluster (legend click hides it) plus the centres. kind 'rgb': points at their pixel's colour
 * (centres: the clusters' mean colours); kind 'codes': points at their code's first 3 principal components
 * (codes: float32 bytes, 3 a point; centres: float32 bytes, 3 a cluster). meta: { revision, uirevision, clusters:
 * [{ index, colour, share, mean: [r, g, b] }] }. The camera is kept across draws with the same uirevision.
 */
export function scatter3d(el, kind, rgb, labels, codes, centres, meta) {
    schedule(el, async Plotly => {
        const g = await sceneIn(el, kind, Plotly);
        const coords = kind === 'codes' ? floats(codes) : rgb;
        const centre = kind === 'codes' ? floats(centres) : null;
        const clusters = meta.clusters, k = clusters.length, n = labels.length;
        const counts = new Int32Array(k);
        for (let i = 0; i < n; i++) counts[labels[i]]++;
        // Hover labels only where plotly picks (see withoutPicking): their per-point data is built for nothing otherwise.
        const hover = !isSoftwareGl();
        const x = [], y = [], z = [], custom = [], fill = new Int32Array(k);
        for (let c = 0; c < k; c++) { x.push(new Float32Array(counts[c])); y.push(new Float32Array(counts[c])); z.push(new Float32Array(counts[c])); custom.push(hover ? new Array(counts[c]) : null); }
        for (let i = 0; i < n; i++) {
            const c = labels[i], j = fill[c]++;
            x[c][j] = coords[3 * i]; y[c][j] = coords[3 * i + 1]; z[c][j] = coords[3 * i + 2];
            if (hover) custom[c][j] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
        }
        const data = clusters.map((cl, c) => ({
            type: 'scatter3d', mode: 'markers', name: `cluster ${cl.index}`, legendgroup: `c${cl.index}`,
            x: x[c], y: y[c], z: z[c], marker: { size: 2, color: cl.colour, symbol: pointSymbol },
            ...(hover
                ? { customdata: custom[c], hovertemplate: `cluster ${cl.index} · ${(cl.share * 100).toFixed(1)}% of pixels<br>pixel RGB %{customdata[0]}, %{customdata[1]}, %{customdata[2]}<extra></extra>` }
                : { hoverinfo: 'skip' }),
        }));
        const cx = [], cy = [], cz = [];
        for (let c = 0; c < k; c++) {
            if (centre) { cx.push(centre[3 * c]); cy.push(centre[3 * c + 1]); cz.push(centre[3 * c + 2]); }
            else { cx.push(clusters[c].mean[0]); cy.push(clusters[c].mean[1]); cz.push(clusters[c].mean[2]); }
        }
        data.push({
            type: 'scatter3d', mode: 'markers', name: 'centres', x: cx, y: cy, z: cz,
            marker: { size: 7, symbol: 'diamond', color: clusters.map(cl => cl.colour), line: { color: '#000000', width: 2 } },
            ...(hover ? { text: clusters.map(cl => `centre of cluster ${cl.index}`), hovertemplate: '%{text}<extra></extra>' } : { hoverinfo: 'skip' }),
        });
        const layout = sceneLayout(kind, el.clientWidth || undefined, meta.uirevision);
        await inTurn(async () => {
            const start = performance.now();
            await Plotly.react(g, data, layout, sceneConfig());
            g.dataset.drawMs = String(Math.round(performance.now() - start)); // plotly's own share of the update (the tests print it)
            drawn(g, meta.revision);
        });
    });
}

// ---- loss curve ----

/**
 * The loss per epoch (trace 0), on a log or linear axis; when the run has ended its final loss is marked.
 * meta: { revision, log, final }.
 */
export function drawLoss(el, epochs, losses, meta) {
    schedule(el, async Plotly => {
        const data = [{ type: 'scatter', mode: 'lines+markers', name: 'loss', x: epochs.slice(), y: losses.slice(), marker: { size: 4 } }];
        const annotations = [];
        if (meta.final && losses.length > 0) {
            const e = epochs[epochs.length - 1], l = losses[losses.length - 1];
            data.push({ type: 'scatter', mode: 'markers', name: 'final loss', x: [e], y: [l], marker: { size: 11, symbol: 'star', color: '#ff7f0e' }, hovertemplate: 'final loss %{y:.6g}<extra></extra>' });
            annotations.push({ x: e, y: meta.log ? Math.log10(l) : l, text: `final ${l.toPrecision(3)}`, showarrow: true, arrowhead: 0, ax: -40, ay: -24 });
        }
        const layout = themed({
            height: 260, margin: { l: 56, r: 16, t: 16, b: 40 }, showlegend: false, annotations,
            xaxis: { title: { text: 'epoch' }, rangemode: 'nonnegative' },
            yaxis: { title: { text: meta.log ? 'mean squared error (log)' : 'mean squared error' }, type: meta.log ? 'log' : 'linear', exponentformat: 'power' },
        });
        await Plotly.react(el, data, layout, config);
        drawn(el, meta.revision);
    });
}

/** Appends epochs to the curve (trace 0) without redrawing it; falls back to a draw before the first one. */
export function extendLoss(el, epochs, losses, meta) {
    if (!el.data || pending.has(el)) { drawLoss(el, epochs, losses, meta); return; }
    window.Plotly.extendTraces(el, { x: [epochs.slice(el.data[0].x.length)], y: [losses.slice(el.data[0].y.length)] }, [0]);
    drawn(el, meta.revision);
}

// ---- cluster shares ----

/**
 * One bar (and legend entry) per cluster in its colour; clicking a bar or a legend entry calls
 * dotnet.ClusterClicked(index) instead of hiding it. meta: { revision, highlight, clusters: [{ index, colour, share, count }] }.
 */
export function bars(el, meta, dotnet) {
    el.segmenterDotnet = dotnet;
    schedule(el, async Plotly => {
        const h = meta.highlight;
        const data = meta.clusters.map(cl => ({
            type: 'bar', name: `cluster ${cl.index}`, x: [String(cl.index)], y: [Math.round(cl.share * 10000) / 100],
            marker: { color: cl.colour, line: { color: '#555555', width: h === cl.index ? 3 : 1 } },
            opacity: h == null || h === cl.index ? 1 : 0.35,
            hovertemplate: `cluster ${cl.index}: %{y}% (${cl.count.toLocaleString()} px)<extra></extra>`,
        }));
        const layout = themed({
            height: 260, margin: { l: 48, r: 8, t: 8, b: 40 }, showlegend: true, legend: { font: { size: 10 } },
            xaxis: { title: { text: 'cluster' }, type: 'category' }, yaxis: { title: { text: 'share of pixels (%)' } },
        });
        await Plotly.react(el, data, layout, config);
        if (!el.segmenterBound) {
            el.segmenterBound = true;
            const tell = index => el.segmenterDotnet?.invokeMethodAsync('ClusterClicked', index);
            el.on('plotly_click', d => { if (d.points.length) tell(Number(d.points[0].x)); });
            el.on('plotly_legendclick', d => { tell(Number(d.data[d.curveNumber].x[0])); return false; });
            el.on('plotly_legenddoubleclick', () => false);
        }
        drawn(el, meta.revision);
    });
}

/** Stops a chart's pending draw and frees plotly's state (the component is going away); a 3D scene goes back to the pool. */
export function dispose(el) {
    if (!el) return;
    pending.delete(el);
    el.segmenterDotnet = null;
    const scene = el.querySelector('.js-plotly-plot');
    if (scene && !scenePool.get(scene.dataset.sceneKind)) { sceneHolder().appendChild(scene); scenePool.set(scene.dataset.sceneKind, scene); }
    else if (scene) window.Plotly?.purge(scene);
    else if (window.Plotly && el.data) window.Plotly.purge(el);
}
