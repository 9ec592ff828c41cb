// The dashboard page (see dashboard.h): one HTML document with its style and script
// inline. It fetches /api/overview and /api/rollup?metric= and redraws every 10 s; bar
// charts are drawn as SVG by the script, so nothing is loaded from anywhere else.
//
// Every number cell carries data-node, data-period, data-dims, data-value and
// data-status, and <body data-loaded="N"> counts completed refreshes, so tests (and
// scripts) can read the page without guessing at its layout.
#include "city_node/dashboard.h"

namespace fedsync {

absl::string_view DashboardPage() {
  return R"html(<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>侨联数据汇总 · fedsync</title>
<style>
  :root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
          --ok:#2f8132; --warn:#b7791f; --bad:#c53030; --bar:#3a66a7; }
  * { box-sizing: border-box; }
  body { margin:0; font-family: "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
         "PingFang SC",sans-serif; color:var(--ink); background:var(--bg); font-size:14px; }
  header { background:#8b1c1c; color:#fff; padding:14px 24px; display:flex;
           align-items:baseline; gap:18px; flex-wrap:wrap; }
  header h1 { font-size:20px; margin:0; }
  header .meta { opacity:.85; font-size:13px; }
  main { padding:16px 24px; max-width:1280px; margin:auto; }
  section { background:var(--card); border:1px solid var(--line); border-radius:6px;
            padding:14px 18px; margin-bottom:16px; }
  h2 { font-size:16px; margin:0 0 10px; }
  h2 small { color:var(--muted); font-weight:normal; margin-left:8px; }
  table { border-collapse:collapse; width:100%; }
  th, td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left;
           white-space:nowrap; }
  th { background:#f0f4f8; font-weight:600; }
  td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
  .dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:5px; }
  .fresh { background:var(--ok); } .stale { background:var(--warn); } .gone { background:var(--bad); }
  .flag { color:var(--warn); font-size:11px; margin-left:3px; }
  .sup { color:var(--muted); }
  .metric { display:grid; grid-template-columns: minmax(0,3fr) minmax(240px,2fr); gap:18px; }
  .scroll { overflow-x:auto; }
  .bar { fill:var(--bar); } .axis { stroke:var(--line); }
  svg text { font-size:11px; fill:var(--ink); }
  .progress { background:#e4e7eb; border-radius:4px; height:14px; width:220px; overflow:hidden; }
  .progress > div { background:var(--ok); height:100%; }
  .empty { color:var(--muted); }
  #error { color:var(--bad); }
  .legend { color:var(--muted); font-size:12px; margin-top:6px; }
</style>
</head>
<body data-loaded="0">
<header>
  <h1 id="title">侨联数据汇总</h1>
  <span class="meta" id="node-meta"></span>
  <span class="meta" id="updated">加载中…</span>
  <span id="error"></span>
</header>
<main>
  <section id="children-section">
    <h2>下级单位 <small>数据新鲜度与完整性</small></h2>
    <div class="scroll"><table id="children">
      <thead><tr><th>单位</th><th>级别</th><th>连接</th><th>最近同步</th>
        <th class="num">滞后(序号)</th><th class="num">已收序号</th><th class="num">单元格</th>
        <th>完整性</th><th class="num">目录版本</th></tr></thead>
      <tbody></tbody></table></div>
    <div class="legend">完整性：已上报的统计指标数 / 目录中的指标数。滞后：下级最新序号减去本级已收序号。</div>
  </section>
  <section id="targets-section">
    <h2>目标进度 <small>年度目标完成情况</small></h2>
    <div id="targets"></div>
  </section>
  <div id="metrics"></div>
</main>
<script>
"use strict";
const LEVELS = {district:"区县", city:"市", province:"省", national:"全国"};
const REFRESH_MS = 10000;

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children || []) node.appendChild(child);
  return node;
}
function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}
function ago(ms, now) {
  if (!ms) return "从未";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return s + " 秒前";
  if (s < 3600) return Math.round(s / 60) + " 分钟前";
  if (s < 172800) return Math.round(s / 3600) + " 小时前";
  return Math.round(s / 86400) + " 天前";
}
function freshness(child, now) {
  if (!child.connected) return "gone";
  return now - child.last_seen_ms < 60000 ? "fresh" : "stale";
}
function dimsKey(dims) { return dims.map(d => d.key + "=" + d.value).join(","); }
function dimsLabel(dims) { return dims.map(d => d.zh).join(" · "); }
async function getJson(url) {
  const response = await fetch(url, {cache: "no-store"});
  if (!response.ok) throw new Error(url + ": HTTP " + response.status);
  return response.json();
}

function renderChildren(overview) {
  const body = document.querySelector("#children tbody");
  body.replaceChildren();
  if (overview.children.length === 0) {
    body.appendChild(el("tr", {}, [el("td", {colspan: "9", class: "empty", text: "尚无下级单位连接"})]));
    return;
  }
  for (const c of overview.children) {
    const state = freshness(c, overview.now_ms);
    const status = el("td", {}, [el("span", {class: "dot " + state}),
        document.createTextNode(c.connected ? "在线" : "离线")]);
    body.appendChild(el("tr", {"data-child": c.id}, [
      el("td", {text: c.id, title: c.path}),
      el("td", {text: LEVELS[c.level] || c.level}),
      status,
      el("td", {text: ago(c.last_seen_ms, overview.now_ms)}),
      el("td", {class: "num", text: String(c.lag_seq)}),
      el("td", {class: "num", text: String(c.watermark)}),
      el("td", {class: "num", text: String(c.cells)}),
      el("td", {text: c.metrics_reported + " / " + overview.metrics_total}),
      el("td", {class: "num", text: String(c.catalog_version)}),
    ]));
  }
}

function renderTargets(overview) {
  const box = document.getElementById("targets");
  box.replaceChildren();
  if (!overview.targets || overview.targets.length === 0) {
    box.appendChild(el("p", {class: "empty", id: "no-targets", text: "尚未设定目标（no targets set）"}));
    return;
  }
  const rows = overview.targets.map(t => {
    const share = t.value > 0 ? Math.min(1, t.current / t.value) : 0;
    const bar = el("div", {class: "progress"}, [el("div", {style: "width:" + (share * 100).toFixed(1) + "%"})]);
    return el("tr", {"data-target": t.metric + "/" + t.scope + "/" + t.period}, [
      el("td", {text: t.title_zh || t.metric}), el("td", {text: t.scope}), el("td", {text: t.period}),
      // Partial: some of the cells summed are suppressed, so the sum is a lower bound.
      el("td", {class: "num", text: t.current + (t.partial ? "（部分）" : "") + " / " + t.value}),
      el("td", {}, [bar]),
      el("td", {text: t.completed_ms ? new Date(t.completed_ms).toLocaleDateString("zh-CN") : "未完成"})]);
  });
  box.appendChild(el("table", {}, [el("thead", {}, [el("tr", {}, ["指标", "范围", "期间", "进度", "", "完成日期"]
      .map(h => el("th", {text: h})))]), el("tbody", {}, rows)]));
}

function renderChart(rollup) {
  // The newest period: this node's value per category, or per child when the metric
  // has no dimensions. Suppressed values have no bar.
  const svg = svgEl("svg", {class: "chart", role: "img"});
  if (rollup.rows.length === 0) return svg;
  const period = rollup.rows[0].period;
  const rows = rollup.rows.filter(r => r.period === period);
  let bars;
  if (rollup.dims.length > 0) {
    bars = rows.map(r => ({label: dimsLabel(r.dims), cell: r.cells[rollup.own]}));
  } else {
    bars = rollup.nodes.map(n => ({label: n === rollup.own ? n + "（合计）" : n, cell: rows[0].cells[n]}));
  }
  const max = Math.max(1, ...bars.map(b => (b.cell && b.cell.value) || 0));
  const rowHeight = 22, labelWidth = 150, width = 420;
  svg.setAttribute("viewBox", "0 0 " + width + " " + (bars.length * rowHeight + 24));
  svg.setAttribute("width", "100%");
  svg.appendChild(svgEl("line", {class: "axis", x1: labelWidth, y1: 0, x2: labelWidth, y2: bars.length * rowHeight}));
  bars.forEach((b, i) => {
    const y = i * rowHeight;
    const label = svgEl("text", {x: labelWidth - 6, y: y + 15, "text-anchor": "end"});
    label.textContent = b.label;
    svg.appendChild(label);
    const value = b.cell && b.cell.value !== null ? b.cell.value : null;
    const w = value === null ? 0 : (width - labelWidth - 50) * value / max;
    svg.appendChild(svgEl("rect", {class: "bar", x: labelWidth, y: y + 4, width: w, height: rowHeight - 8}));
    const text = svgEl("text", {x: labelWidth + w + 4, y: y + 15});
    text.textContent = value === null ? (b.cell ? "x" : "—") : String(value);
    svg.appendChild(text);
  });
  const caption = svgEl("text", {x: labelWidth, y: bars.length * rowHeight + 18});
  caption.textContent = "期间 " + period;
  svg.appendChild(caption);
  return svg;
}

function renderMetric(rollup) {
  const head = [el("th", {text: "期间"})];
  for (const d of rollup.dims) head.push(el("th", {text: rollup.dim_labels[d].zh}));
  for (const n of rollup.nodes) {
    head.push(el("th", {class: "num", text: n === rollup.own ? n + "（合计）" : n}));
  }
  const body = rollup.rows.map(r => {
    const cells = [el("td", {text: r.period})];
    for (const d of rollup.dims) {
      const dim = r.dims.find(x => x.key === d);
      cells.push(el("td", {text: dim ? dim.zh : "全部", title: dim ? dim.value : ""}));
    }
    for (const n of rollup.nodes) {
      const c = r.cells[n];
      if (!c) { cells.push(el("td", {class: "num empty", text: "—"})); continue; }
      const suppressed = c.value === null;
      const td = el("td", {class: "num", "data-node": n, "data-period": r.period,
          "data-dims": dimsKey(r.dims), "data-value": suppressed ? "" : String(c.value),
          "data-status": c.status, title: c.status},
          [el("span", {class: suppressed ? "v sup" : "v", text: suppressed ? "x" : String(c.value)})]);
      if (c.status === "PARTIAL") td.appendChild(el("span", {class: "flag", text: "部分"}));
      cells.push(td);
    }
    return el("tr", {}, cells);
  });
  const table = body.length === 0
      ? el("p", {class: "empty", text: "暂无数据"})
      : el("table", {class: "rollup"}, [el("thead", {}, [el("tr", {}, head)]), el("tbody", {}, body)]);
  return el("section", {id: "metric-" + rollup.metric, "data-metric": rollup.metric}, [
    el("h2", {text: rollup.title_zh}, [el("small", {text: rollup.title_en + " · " + rollup.metric})]),
    el("div", {class: "metric"}, [el("div", {class: "scroll"}, [table]), renderChart(rollup)]),
    el("div", {class: "legend", text: "x：为保护隐私而抑制的数值；部分：合计中含有被抑制的数值。"}),
  ]);
}

async function refresh() {
  try {
    const overview = await getJson("api/overview");
    const rollups = await Promise.all(overview.metrics.map(
        m => getJson("api/rollup?metric=" + encodeURIComponent(m.id))));
    const n = overview.node;
    document.getElementById("title").textContent = n.id + " " + (LEVELS[n.level] || n.level) + " · 侨联数据汇总";
    document.getElementById("node-meta").textContent =
        "路径 " + n.path + " · 目录版本 " + n.catalog_version + " · 已发布 " + n.published_cells + " 个单元格" +
        (n.parent ? " · 上级 " + n.parent.target + (n.parent.connected ? "（在线）" : "（离线）") : "");
    renderChildren(overview);
    renderTargets(overview);
    document.getElementById("metrics").replaceChildren(...rollups.map(renderMetric));
    document.getElementById("updated").textContent =
        "更新于 " + new Date(overview.now_ms).toLocaleTimeString("zh-CN") + "（每 10 秒自动刷新）";
    document.getElementById("error").textContent = "";
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded) + 1);
  } catch (error) {
    document.getElementById("error").textContent = "刷新失败：" + error.message;
  }
}
refresh();
setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
)html";
}

}  // namespace fedsync
