/* Bar charts from data-chart attributes, drawn by ECharts (vendor/echarts/echarts.min.js, loaded first).
 *
 * <div class="chart" data-chart='{"kind": "bar", "categories": [...], "series": [{"name": "已完成", "data": [...]}],
 *      "stack": true, "horizontal": false, "percent": false, "title": "optional"}'>
 *   <table>…the same figures…</table>
 * </div>
 *
 * "percent": the data are already percentages (0–100); they are shown with "%" on an axis that ends at 100.
 * The element's own content is the fallback: without ECharts (or with a spec it cannot read) it stays as it is.
 * When a chart is drawn, that content moves into a visually hidden <div class="chart-fallback"> right after the
 * element (ECharts empties the element it draws in), so screen readers still read the table.
 * The CSP allows no inline script, so everything here runs from this file, on DOMContentLoaded (script is `defer`).
 */
(function () {
  'use strict';

  if (!window.echarts) return;
  const echarts = window.echarts;

  // Series named after a duty status get the status's colour (the same as its .badge in app.css).
  const GREEN = '#2f9e5b';
  const RED = '#d64545';
  const AMBER = '#e0a100';
  const BLUE = '#3b7dd8';
  const STATUS_COLORS = {
    '已完成': GREEN, done: GREEN, '已达标': GREEN, satisfied: GREEN,
    '已逾期': RED, overdue: RED,
    '即将到期': AMBER, due_soon: AMBER,
    '进行中': BLUE, open: BLUE,
  };
  // Other series: no pure red or green, so those keep meaning done/overdue.
  const PALETTE = [BLUE, '#e6a23c', '#8e6cc9', '#4aa8b8', '#8a94a6', '#d97ab6', '#6b8e23', '#b5651d'];
  const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
    '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';
  const ROW_PX = 28; // least height per category of a horizontal chart, so twenty rules don't squeeze into 320px

  const drawn = []; // {el, chart, spec, width, height}

  function seriesColor(name, i) {
    const key = String(name == null ? '' : name).trim();
    return STATUS_COLORS[key] || STATUS_COLORS[key.toLowerCase()] || PALETTE[i % PALETTE.length];
  }

  function legendShown(spec) {
    return spec.series.length > 1 || Boolean(spec.series[0] && spec.series[0].name);
  }

  function topSpace(spec) {
    return (spec.title ? 28 : 0) + (legendShown(spec) ? 30 : 0) + 8;
  }

  function categoryAxis(el, spec) {
    const width = el.clientWidth || 360;
    const labels = { interval: 0, overflow: 'truncate' };
    if (spec.horizontal) {
      // long Chinese rule names: a third of the width, then "…" (the tooltip shows the whole name)
      labels.width = Math.round(Math.min(220, Math.max(64, width * 0.32)));
    } else {
      const slot = (width - 56) / Math.max(1, spec.categories.length);
      if (slot >= 44) {
        labels.width = Math.floor(slot) - 6;
      } else {
        // too narrow for level labels (a phone): slant them and let ECharts drop the ones that would overlap
        labels.rotate = 40;
        labels.width = 84;
        labels.interval = 'auto';
      }
    }
    return {
      type: 'category',
      data: spec.categories,
      inverse: Boolean(spec.horizontal), // first category on top, as in the table
      axisTick: { alignWithLabel: true },
      axisLabel: labels,
    };
  }

  function valueAxis(spec) {
    const axis = { type: 'value', min: 0, axisLabel: { hideOverlap: true } };
    if (spec.percent) {
      axis.max = 100;
      axis.axisLabel.formatter = '{value}%';
    } else {
      axis.minInterval = 1; // counts: no 2.5 ticks
    }
    return axis;
  }

  function buildOption(el, spec) {
    const percent = Boolean(spec.percent);
    const single = spec.series.length === 1;
    const fmt = (v) => (v == null || v === '' ? '-' : percent ? v + '%' : String(v));
    const option = {
      animation: false,
      textStyle: { fontFamily: FONT },
      legend: {
        show: legendShown(spec),
        type: 'scroll',
        top: spec.title ? 28 : 0,
        left: 'center',
        itemWidth: 14,
        itemHeight: 10,
      },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        // the HTML tooltip writes style="" attributes, which the CSP (style-src 'self') blocks; this one is on the canvas
        renderMode: 'richText',
        confine: true,
        valueFormatter: fmt,
      },
      grid: { left: 4, right: spec.horizontal && single ? 40 : 16, top: topSpace(spec), bottom: 4, containLabel: true },
      xAxis: spec.horizontal ? valueAxis(spec) : categoryAxis(el, spec),
      yAxis: spec.horizontal ? categoryAxis(el, spec) : valueAxis(spec),
      series: spec.series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        data: s.data,
        stack: spec.stack ? 'total' : undefined,
        barMaxWidth: 36,
        itemStyle: { color: s.color || seriesColor(s.name, i) },
        emphasis: { focus: 'series' },
        // one series: its value at the bar's end; with several they would crowd a phone screen
        label: single
          ? { show: true, position: spec.horizontal ? 'right' : 'top', fontSize: 11, formatter: (p) => fmt(p.value) }
          : { show: false },
        labelLayout: { hideOverlap: true },
      })),
    };
    if (spec.title) {
      option.title = { text: spec.title, left: 0, top: 0, textStyle: { fontSize: 14, fontWeight: 600 } };
    }
    return option;
  }

  function readSpec(el) {
    let spec;
    try {
      spec = JSON.parse(el.getAttribute('data-chart'));
    } catch (e) {
      console.warn('data-chart: not JSON', el, e);
      return null;
    }
    if (!spec || (spec.kind || 'bar') !== 'bar' || !Array.isArray(spec.categories) || !Array.isArray(spec.series)) {
      console.warn('data-chart: not a bar chart spec', el);
      return null;
    }
    return spec;
  }

  function fitHeight(el, spec) {
    if (spec.horizontal) {
      el.style.minHeight = (spec.categories.length * ROW_PX + topSpace(spec) + 32) + 'px';
    }
  }

  function draw(el) {
    const spec = readSpec(el);
    if (!spec) return;
    const fallback = document.createElement('div');
    fallback.className = 'chart-fallback visually-hidden';
    while (el.firstChild) fallback.appendChild(el.firstChild);
    el.after(fallback);
    el.classList.add('is-rendered'); // app.css gives the element its height only now, so the table never sits in 320px
    el.setAttribute('aria-hidden', 'true'); // the canvas says nothing to a screen reader; the table after it does
    fitHeight(el, spec);
    let chart = null;
    try {
      chart = echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(buildOption(el, spec));
      drawn.push({ el, chart, spec, width: el.clientWidth, height: el.clientHeight });
    } catch (e) {
      console.warn('data-chart: cannot draw', el, e);
      if (chart) chart.dispose();
      el.classList.remove('is-rendered');
      el.removeAttribute('aria-hidden');
      el.style.minHeight = '';
      while (fallback.firstChild) el.appendChild(fallback.firstChild);
      fallback.remove();
    }
  }

  function resizeAll() {
    for (const d of drawn) {
      const w = d.el.clientWidth;
      const h = d.el.clientHeight;
      // phones fire resize when the address bar slides; nothing to redraw then
      if (w === d.width && h === d.height) continue;
      d.width = w;
      d.height = h;
      d.chart.resize();
      if (w > 0) d.chart.setOption(buildOption(d.el, d.spec)); // label widths follow the width
    }
  }

  let timer = 0;
  function scheduleResize() {
    clearTimeout(timer);
    timer = setTimeout(resizeAll, 150);
  }

  function start() {
    document.querySelectorAll('[data-chart]').forEach(draw);
    if (!drawn.length) return;
    window.addEventListener('resize', scheduleResize);
    // also a chart that was in a closed <details> or a hidden panel when drawn, and so had no size
    if ('ResizeObserver' in window) {
      const observer = new ResizeObserver(scheduleResize);
      drawn.forEach((d) => observer.observe(d.el));
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
