// The scribble canvas: strokes are painted and kept on the client, one brush label per image pixel,
// and only sent to the server (as raw bytes, once) when the user re-clusters with them: no per-point traffic.
const pads = new WeakMap();
const maxUndo = 32; // snapshots kept for "undo stroke"; each is one byte per pixel

// Attaches to the canvas as rendered (its size from its data attributes) and returns its data-key; null when the
// reference is not a rendered canvas yet (the result changed between a render and its after-render), so that the
// next render attaches instead of the circuit failing on a missing element.
export function attach(canvas, colours) {
    if (!(canvas instanceof HTMLCanvasElement)) return null;
    if (pads.has(canvas)) return canvas.dataset.key; // attached at an earlier render: its strokes stay
    const width = Number(canvas.dataset.width), height = Number(canvas.dataset.height);
    const pad = { width, height, colours, labels: new Uint8Array(width * height), undo: [], brush: 1, size: 5, last: null, frame: 0 };
    pads.set(canvas, pad);
    canvas.width = width; canvas.height = height;
    const at = e => [Math.floor(e.offsetX * width / canvas.clientWidth), Math.floor(e.offsetY * height / canvas.clientHeight)];
    canvas.addEventListener('pointerdown', e => {
        if (e.button !== 0) return;
        canvas.setPointerCapture?.(e.pointerId);
        pad.undo.push(pad.labels.slice());
        if (pad.undo.length > maxUndo) pad.undo.shift();
        pad.last = at(e);
        dab(pad, pad.last[0], pad.last[1]);
        redraw(canvas, pad);
    });
    canvas.addEventListener('pointermove', e => {
        if (!pad.last) return;
        const next = at(e);
        line(pad, pad.last, next);
        pad.last = next;
        redraw(canvas, pad);
    });
    const end = () => { pad.last = null; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointerleave', end);
    redraw(canvas, pad);
    return canvas.dataset.key;
}

// Brush 0 is the eraser.
export function setBrush(canvas, brush) { const pad = pads.get(canvas); if (pad) pad.brush = brush; }
export function setSize(canvas, size) { const pad = pads.get(canvas); if (pad) pad.size = Math.max(1, size); }
export function undoStroke(canvas) { const pad = pads.get(canvas); if (pad?.undo.length) { pad.labels = pad.undo.pop(); redraw(canvas, pad); } }
export function clear(canvas) {
    const pad = pads.get(canvas);
    if (!pad) return;
    pad.undo.push(pad.labels.slice());
    pad.labels.fill(0);
    redraw(canvas, pad);
}
export function strokedPixels(canvas) { const pad = pads.get(canvas); return pad ? pad.labels.reduce((n, b) => n + (b ? 1 : 0), 0) : 0; }
// The label map, row-major at the image's size, streamed to .NET as a byte[].
export function labels(canvas) { const pad = pads.get(canvas); return pad ? pad.labels : new Uint8Array(0); }

function dab(pad, cx, cy) {
    const r = pad.size / 2, r2 = r * r;
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(pad.height - 1, Math.ceil(cy + r)); y++)
        for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(pad.width - 1, Math.ceil(cx + r)); x++)
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= Math.max(r2, 0.25)) pad.labels[y * pad.width + x] = pad.brush;
}

function line(pad, [x0, y0], [x1, y1]) {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 1; s <= steps; s++) dab(pad, x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
}

function redraw(canvas, pad) {
    if (pad.frame) return;
    pad.frame = requestAnimationFrame(() => {
        pad.frame = 0;
        const ctx = canvas.getContext('2d');
        const image = ctx.createImageData(pad.width, pad.height);
        for (let i = 0; i < pad.labels.length; i++) {
            const b = pad.labels[i];
            if (!b) continue;
            const [r, g, bl] = pad.colours[b - 1];
            image.data.set([r, g, bl, 200], i * 4);
        }
        ctx.putImageData(image, 0, 0);
    });
}
