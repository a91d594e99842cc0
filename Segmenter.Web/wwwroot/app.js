// Small helpers the Blazor components call through JS interop.
window.segmenter = {
    // The element's displayed size in CSS pixels, to map a click offset to image pixels.
    size: (el) => el ? [el.clientWidth, el.clientHeight] : [0, 0],
};
