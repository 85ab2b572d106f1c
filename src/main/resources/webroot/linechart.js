// A small live line chart on a canvas: a sliding time window of samples, a nice y scale, no dependencies.
// Colours come from CSS custom properties on the canvas, so the page's light and dark themes both apply.
"use strict";

(function (global) {
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const exp = Math.pow(10, Math.floor(Math.log10(value)));
    const f = value / exp;
    const step = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return step * exp;
  }

  function compact(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(n % 1e9 === 0 ? 0 : 1) + "G";
    if (n >= 1e6) return (n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1) + "M";
    if (n >= 1e3) return (n / 1e3).toFixed(n % 1e3 === 0 ? 0 : 1) + "k";
    return String(Math.round(n * 100) / 100);
  }

  class LineChart {
    constructor(canvas, options) {
      this.canvas = canvas;
      this.windowMs = (options && options.windowSeconds || 60) * 1000;
      this.samples = []; // {t: ms, v: number}
      if (global.ResizeObserver) {
        new ResizeObserver(() => this.draw()).observe(canvas);
      } else {
        global.addEventListener("resize", () => this.draw());
      }
    }

    /** Adds a sample at time t (ms), drops those that fell out of the window, redraws. */
    push(t, v) {
      this.samples.push({ t, v });
      const oldest = t - this.windowMs;
      while (this.samples.length > 2 && this.samples[1].t < oldest) this.samples.shift();
      this.draw();
    }

    max() {
      return this.samples.reduce((m, s) => Math.max(m, s.v), 0);
    }

    draw() {
      const canvas = this.canvas;
      const ratio = global.devicePixelRatio || 1;
      const width = canvas.clientWidth, height = canvas.clientHeight;
      if (width === 0 || height === 0) return;
      if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);

      const style = getComputedStyle(canvas);
      const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      const line = colour("--chart-line", "#2563eb");
      const fill = colour("--chart-fill", "rgba(37, 99, 235, 0.15)");
      const grid = colour("--chart-grid", "rgba(128, 128, 128, 0.25)");
      const text = colour("--chart-text", "#666");
      const font = "12px system-ui, sans-serif";

      const top = 8, bottom = 20, left = 48, right = 8;
      const plotW = Math.max(1, width - left - right), plotH = Math.max(1, height - top - bottom);
      // Four grid steps of a round size: 0, 1k, 2k, 3k, 4k rather than 0, 1.3k, 2.5k...
      const yMax = 4 * niceCeiling((this.max() * 1.1) / 4);
      const now = this.samples.length ? this.samples[this.samples.length - 1].t : 0;
      const x = (t) => left + plotW * (1 - (now - t) / this.windowMs);
      const y = (v) => top + plotH * (1 - v / yMax);

      ctx.font = font;
      ctx.lineWidth = 1;
      ctx.strokeStyle = grid;
      ctx.fillStyle = text;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (let i = 0; i <= 4; i++) {
        const v = (yMax * i) / 4, py = Math.round(y(v)) + 0.5;
        ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(left + plotW, py); ctx.stroke();
        ctx.fillText(compact(v), left - 6, py);
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      const seconds = this.windowMs / 1000;
      for (let s = 0; s <= seconds; s += seconds / 4) {
        const px = left + plotW * (1 - s / seconds);
        ctx.fillText(s === 0 ? "now" : "-" + s + "s", Math.min(Math.max(px, left + 12), width - 16), top + plotH + 4);
      }

      const visible = this.samples.filter((s) => now - s.t <= this.windowMs);
      if (visible.length === 0) return;
      ctx.save();
      ctx.beginPath(); ctx.rect(left, top, plotW, plotH); ctx.clip();
      ctx.beginPath();
      visible.forEach((s, i) => (i === 0 ? ctx.moveTo(x(s.t), y(s.v)) : ctx.lineTo(x(s.t), y(s.v))));
      ctx.lineTo(x(visible[visible.length - 1].t), y(0));
      ctx.lineTo(x(visible[0].t), y(0));
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.beginPath();
      visible.forEach((s, i) => (i === 0 ? ctx.moveTo(x(s.t), y(s.v)) : ctx.lineTo(x(s.t), y(s.v))));
      ctx.strokeStyle = line;
      ctx.lineWidth = 2;
      ctx.lineJoin = "round";
      ctx.stroke();
      if (visible.length === 1) {
        ctx.fillStyle = line;
        ctx.beginPath(); ctx.arc(x(visible[0].t), y(visible[0].v), 3, 0, 2 * Math.PI); ctx.fill();
      }
      ctx.restore();
    }
  }

  global.LineChart = LineChart;
  global.LineChart.compact = compact;
})(window);
