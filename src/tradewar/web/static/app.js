// tradewar dashboard: plain JavaScript over the JSON API (/openapi.json). d3 and the world
// geometry are vendored under /static/vendor; nothing is fetched from elsewhere.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { info: null, result: null, step: 0, atlas: null, scenarios: [] };

// ISO 3166-1 numeric codes (world-atlas feature ids) of the regions the datasets use.
const ISO_NUM = {
  ARG: "032", AUS: "036", AUT: "040", BEL: "056", BGR: "100", BRA: "076", BRN: "096", CAN: "124",
  CHL: "152", CHN: "156", CYP: "196", CZE: "203", DEU: "276", DNK: "208", ESP: "724", EST: "233",
  FIN: "246", FRA: "250", GBR: "826", GRC: "300", HRV: "191", HUN: "348", IDN: "360", IND: "356",
  IRL: "372", ITA: "380", JPN: "392", KHM: "116", KOR: "410", LAO: "418", LTU: "440", LUX: "442",
  LVA: "428", MEX: "484", MLT: "470", MMR: "104", MYS: "458", NLD: "528", NOR: "578", NZL: "554",
  PHL: "608", POL: "616", PRT: "620", ROU: "642", SGP: "702", SVK: "703", SVN: "705", SWE: "752",
  THA: "764", TUR: "792", TWN: "158", USA: "840", VNM: "704", ZAF: "710",
};
const EU27 = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
  "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"];
const GROUPS = { EU27: EU27, EU: EU27, ASEAN_OTH: ["BRN", "KHM", "LAO", "MMR", "PHL", "SGP"] };

// -- helpers ------------------------------------------------------------------------------
async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({ error: { code: "bad_response", message: `${res.status} ${res.statusText}` } }));
  if (!res.ok) {
    const err = new Error((data.error && data.error.message) || `HTTP ${res.status}`);
    err.field = data.error && data.error.field;
    throw err;
  }
  return data;
}
function showError(msg) { const e = $("#error"); e.textContent = msg; e.hidden = !msg; }
function setStatus(text, cls) { const s = $("#status"); s.textContent = text; s.className = "status " + (cls || ""); }
function fmt(v, d = 4) { return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(d); }
function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function option(value, text, selected) { const o = el("option", { value }, text); if (selected) o.selected = true; return o; }
function signClass(v) { return v < 0 ? "neg" : v > 0 ? "pos" : ""; }
function busy(on) { for (const b of document.querySelectorAll("button")) b.disabled = on; }

// -- setup ----------------------------------------------------------------------------------
async function init() {
  try {
    const [ds, models, sc] = await Promise.all([api("GET", "/api/datasets"), api("GET", "/api/models"), api("GET", "/api/scenarios")]);
    for (const d of ds.datasets) $("#dataset").append(option(d.name, d.name, d.name === ds.default));
    for (const m of models.models) $("#model").append(option(m.name, m.name, m.name === models.default));
    state.scenarios = sc.scenarios.filter((s) => !s.error);
    for (const s of state.scenarios) $("#scenario").append(option(s.name, s.title ? `${s.name}: ${s.title}` : s.name, s.name === "us-china-2025"));
    if (!state.scenarios.length) { $("#scenario").append(option("", "none bundled")); $("#load-scenario").disabled = true; }
    await loadDataset();
    setStatus("ready");
  } catch (e) { showError(e.message); setStatus("error"); }
  fetch("/static/vendor/countries-110m.json").then((r) => r.json()).then((t) => { state.atlas = t; if (state.result) drawMap(); });
}

async function loadDataset() {
  const name = $("#dataset").value;
  setStatus(`loading ${name}…`, "busy");
  state.info = await api("GET", `/api/datasets/${encodeURIComponent(name)}`);
  const codes = state.info.regions.map((r) => r.code);
  const both = codes.includes("USA") && codes.includes("CHN");
  for (const id of ["#row-us-chn", "#row-chn-us"]) $(id).hidden = !both;
  if (both) {
    const avg = state.info.average_tariffs_pct;
    $("#us-chn-base").textContent = `baseline avg ${fmt(avg.USA.CHN, 1)}%`;
    $("#chn-us-base").textContent = `baseline avg ${fmt(avg.CHN.USA, 1)}%`;
  }
  $("#extra-policies tbody").replaceChildren();
  setStatus("ready");
}

function regionSelect(cls, withAll, selected) {
  const s = el("select", { class: cls });
  if (withAll) s.append(option("all", "all"));
  for (const r of state.info.regions) s.append(option(r.code, r.code, r.code === selected));
  return s;
}

function addRow(pol = {}) {
  const tr = el("tr");
  const sectors = el("select", { class: "sector" });
  sectors.append(option("all", "all"));
  for (const s of state.info.sectors) { const o = option(s.code, s.code); o.title = s.name; sectors.append(o); }
  const mode = el("select", { class: "mode" });
  mode.append(option("add_pp", "add pts"), option("set_pct", "set %"));
  const value = el("input", { class: "value", type: "number", step: "any", value: "10" });
  const del = el("button", { type: "button", "aria-label": "remove" }, "×");
  del.onclick = () => tr.remove();
  const cells = [regionSelect("importer", true, pol.importer || state.info.regions[0].code),
    regionSelect("exporter", true, pol.exporter || state.info.regions[1].code), sectors, mode, value, del];
  for (const c of cells) { const td = el("td"); td.append(c); tr.append(td); }
  $("#extra-policies tbody").append(tr);
}

function numberOrRaw(v) { const t = String(v).trim(); return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t; }

function policies() {
  const out = [];
  const headline = [["#us-chn", "USA", "CHN"], ["#chn-us", "CHN", "USA"]];
  for (const [id, imp, exp] of headline) {
    if ($(`#row-${id.slice(1)}`).hidden) continue;
    const mode = $(`${id}-mode`).value, raw = $(`${id}-value`).value;
    const v = numberOrRaw(raw);
    if (mode === "add_pp" && (v === 0 || v === "")) continue;
    out.push({ importer: imp, exporter: exp, [mode]: v });
  }
  for (const tr of document.querySelectorAll("#extra-policies tbody tr")) {
    const pol = { importer: tr.querySelector(".importer").value, exporter: tr.querySelector(".exporter").value };
    const sector = tr.querySelector(".sector").value;
    if (sector !== "all") pol.sectors = [sector];
    pol[tr.querySelector(".mode").value] = numberOrRaw(tr.querySelector(".value").value);
    out.push(pol);
  }
  return out;
}

// -- running ---------------------------------------------------------------------------------
async function run() {
  showError("");
  const policy = policies();
  if (!policy.length) { showError("No tariff change: set the US tariff on China, China's on the US, or add a row."); return; }
  const body = { dataset: $("#dataset").value, model: $("#model").value, deficits: $("#deficits").value, policy, detail: true };
  busy(true); setStatus("solving…", "busy");
  const t0 = performance.now();
  try {
    const res = await api("POST", "/api/solve", body);
    show(res, 0, performance.now() - t0);
  } catch (e) { showError(e.message); setStatus("error"); }
  finally { busy(false); }
}

async function runScenario() {
  showError("");
  const name = $("#scenario").value;
  if (!name) return;
  busy(true); setStatus(`solving ${name}…`, "busy");
  const t0 = performance.now();
  try {
    const res = await api("POST", "/api/run", { name, detail: true });
    show(res, res.steps.length - 1, performance.now() - t0);
  } catch (e) { showError(e.message); setStatus("error"); }
  finally { busy(false); }
}

function show(res, step, ms) {
  state.result = res;
  state.lastMs = ms;
  const multi = res.steps.length > 1;
  $("#stepper").hidden = !multi;
  $("#step-range").max = String(res.steps.length - 1);
  const regions = res.steps[0].regions.map((r) => r.code);
  const prev = $("#sector-region").value;
  $("#sector-region").replaceChildren(...regions.map((c) => option(c, c, c === (prev || (regions.includes("USA") ? "USA" : regions[0])))));
  const k = `tradewar-${res.key.slice(0, 12)}`;
  $("#downloads").replaceChildren(...["regions", "bilateral", "sectors"].map((t) =>
    el("a", { href: `/api/results/${res.key}/${t}.csv`, download: `${k}-${t}.csv`, id: `csv-${t}` }, `${t}.csv`)));
  setStep(step);
}

function setStep(k) {
  const res = state.result;
  state.step = Math.max(0, Math.min(res.steps.length - 1, k));
  $("#step-range").value = String(state.step);
  const st = res.steps[state.step];
  $("#step-label").textContent = `${state.step + 1}/${res.steps.length}  ${st.date || ""}  ${st.label}`;
  const secs = state.lastMs !== undefined ? ` · ${(state.lastMs / 1000).toFixed(2)} s${res.cached ? " (cached)" : ""}` : "";
  setStatus(`${st.converged ? "converged" : "NOT converged"} · max residual ${st.max_residual.toExponential(1)}${secs}`,
    st.converged ? "ok" : "");
  $("#result-title").textContent = `Welfare by region (%) — ${res.title}${res.steps.length > 1 ? ": " + (st.date || st.label) : ""}`;
  const hl = $("#headline");
  hl.replaceChildren();
  if (st.us_tariff_on_china_pct !== undefined) {
    hl.append(el("span", {}, "US avg tariff on China: "), el("b", { id: "us-avg" }, `${fmt(st.us_tariff_on_china_pct, 1)}%`),
      el("span", {}, "China avg tariff on US: "), el("b", { id: "chn-avg" }, `${fmt(st.china_tariff_on_us_pct, 1)}%`));
  }
  hl.append(el("span", {}, `${res.dataset} · ${res.model}`));
  drawBars(st.regions);
  drawMap();
  drawRegionsTable(st.regions);
  drawPairs(st.bilateral || []);
  drawMatrix(st.bilateral || [], st.regions.map((r) => r.code));
  drawSectors();
}

// -- views -----------------------------------------------------------------------------------
function drawBars(regions) {
  const rows = regions.slice().sort((a, b) => b.welfare_pct - a.welfare_pct);
  const svg = d3.select("#welfare-bars");
  const width = $("#welfare-bars").clientWidth || 520, bar = 16, m = { l: 80, r: 56, t: 6, b: 6 };
  const height = m.t + m.b + rows.length * bar;
  svg.attr("viewBox", `0 0 ${width} ${height}`).attr("height", height).selectAll("*").remove();
  const ext = d3.max(rows, (r) => Math.abs(r.welfare_pct)) || 1;
  const x = d3.scaleLinear().domain([-ext, ext]).range([m.l, width - m.r]);
  const g = svg.append("g");
  rows.forEach((r, i) => {
    const y = m.t + i * bar;
    g.append("rect").attr("class", "bar").attr("data-region", r.code)
      .attr("x", Math.min(x(0), x(r.welfare_pct))).attr("y", y + 2).attr("height", bar - 4)
      .attr("width", Math.abs(x(r.welfare_pct) - x(0))).attr("fill", r.welfare_pct < 0 ? "#d6604d" : "#4393c3")
      .append("title").text(`${r.code}: ${fmt(r.welfare_pct)}%`);
    g.append("text").attr("x", m.l - 6).attr("y", y + bar - 4).attr("text-anchor", "end").attr("font-size", 11).text(r.code);
    g.append("text").attr("x", width - 4).attr("y", y + bar - 4)
      .attr("text-anchor", "end").attr("font-size", 10).attr("fill", "#667085").text(fmt(r.welfare_pct, 3));
  });
  g.append("line").attr("x1", x(0)).attr("x2", x(0)).attr("y1", m.t).attr("y2", height - m.b).attr("stroke", "#98a2b3");
}

function regionOfCountry(codes) {
  // numeric id -> region code; ROW takes every country no other region claims.
  const map = new Map();
  for (const c of codes) {
    const members = GROUPS[c] || (ISO_NUM[c] ? [c] : []);
    for (const m of members) if (ISO_NUM[m]) map.set(ISO_NUM[m], c);
  }
  return map;
}

function drawMap() {
  const svg = d3.select("#map");
  if (!state.atlas || !state.result) return;
  const st = state.result.steps[state.step];
  const codes = st.regions.map((r) => r.code);
  const value = Object.fromEntries(st.regions.map((r) => [r.code, r.welfare_pct]));
  const owner = regionOfCountry(codes);
  const rest = codes.includes("ROW") ? "ROW" : null;
  const width = $("#map").clientWidth || 520, height = Math.round(width * 0.52);
  if (state.mapWidth !== width) {  // project the countries once per width; later draws only recolour
    state.mapWidth = width;
    svg.attr("viewBox", `0 0 ${width} ${height}`).attr("height", height).selectAll("*").remove();
    const land = topojson.feature(state.atlas, state.atlas.objects.countries);
    const path = d3.geoPath(d3.geoNaturalEarth1().fitSize([width, height], { type: "Sphere" }));
    svg.append("path").attr("d", path({ type: "Sphere" })).attr("fill", "#eef2f7");
    const countries = svg.append("g").selectAll("path").data(land.features).join("path")
      .attr("d", path).attr("stroke", "#fff").attr("stroke-width", 0.4);
    countries.append("title");
  }
  const ext = d3.max(st.regions, (r) => Math.abs(r.welfare_pct)) || 1;
  const color = (v) => d3.interpolateRdBu(0.5 + 0.5 * Math.max(-1, Math.min(1, v / ext)));
  const region = (f) => owner.get(f.id) || rest;
  const countries = svg.select("g").selectAll("path");
  countries.attr("data-region", (f) => region(f) || "")
    .attr("fill", (f) => { const r = region(f); return r && value[r] !== undefined ? color(value[r]) : "#ddd"; });
  countries.select("title").text((f) => { const r = region(f); return `${f.properties.name} (${r || "not in the dataset"}): ${fmt(value[r], 3)}%`; });
  const ramp = Array.from({ length: 11 }, (_, i) => d3.interpolateRdBu(i / 10)).join(",");
  $("#map-legend").replaceChildren(el("span", {}, `${fmt(-ext, 3)}%`), el("span", { class: "ramp" }),
    el("span", {}, `+${fmt(ext, 3)}%`), el("span", {}, " welfare change; grey: not in the dataset"));
  $("#map-legend .ramp").style.background = `linear-gradient(to right, ${ramp})`;
}

const REGION_COLS = [
  ["welfare_pct", "welfare %"], ["real_wage_pct", "real wage %"], ["terms_of_trade_pct", "terms of trade %"],
  ["price_index_pct", "price index %"], ["exports_pct", "exports %"], ["imports_pct", "imports %"],
  ["tariff_revenue_new", "tariff revenue (new)"], ["trade_balance_new", "trade balance (new)"],
];

function drawRegionsTable(regions) {
  const cols = REGION_COLS.filter(([c]) => regions[0] && c in regions[0]);
  const t = $("#regions-table");
  const head = el("tr"); head.append(el("th", {}, "region"));
  for (const [, label] of cols) head.append(el("th", {}, label));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const r of regions) {
    const tr = el("tr", { "data-region": r.code });
    tr.append(el("td", {}, r.code));
    for (const [c] of cols) {
      const v = r[c];
      const digits = c.endsWith("_pct") ? 4 : 1;
      tr.append(el("td", { "data-region": r.code, "data-col": c, "data-value": String(v), class: c.endsWith("_pct") ? signClass(v) : "" }, fmt(v, digits)));
    }
    tbody.append(tr);
  }
  t.replaceChildren(thead, tbody);
}

function drawPairs(pairs) {
  const rows = pairs.map((p) => ({ ...p, diff: p.trade_new - p.trade_old })).filter((p) => Number.isFinite(p.diff))
    .sort((a, b) => Math.abs(b.diff) - Math.abs(a.diff)).slice(0, 14);
  const t = $("#pairs-table");
  const head = el("tr");
  for (const h of ["exporter → importer", "before", "after", "change %"]) head.append(el("th", {}, h));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const p of rows) {
    const tr = el("tr", { "data-pair": `${p.exporter}-${p.importer}` });
    tr.append(el("td", {}, `${p.exporter} → ${p.importer}`), el("td", {}, fmt(p.trade_old, 0)), el("td", {}, fmt(p.trade_new, 0)),
      el("td", { class: signClass(p.diff) }, fmt(p.trade_change_pct, 2)));
    tbody.append(tr);
  }
  t.replaceChildren(thead, tbody);
}

function drawMatrix(pairs, codes) {
  const svg = d3.select("#pairs-matrix");
  const width = $("#pairs-matrix").clientWidth || 520, m = { l: 70, t: 60 };
  const cell = Math.max(6, Math.floor((width - m.l - 10) / codes.length));
  const height = m.t + cell * codes.length + 10;
  svg.attr("viewBox", `0 0 ${width} ${height}`).attr("height", height).selectAll("*").remove();
  const vals = pairs.map((p) => Math.abs(p.trade_change_pct)).filter(Number.isFinite).sort(d3.ascending);
  const ext = d3.quantile(vals, 0.95) || 1;
  const idx = Object.fromEntries(codes.map((c, i) => [c, i]));
  const g = svg.append("g");
  for (const p of pairs) {
    if (!(p.importer in idx) || !(p.exporter in idx)) continue;
    const v = p.trade_change_pct;
    g.append("rect").attr("x", m.l + idx[p.exporter] * cell).attr("y", m.t + idx[p.importer] * cell).attr("width", cell - 1).attr("height", cell - 1)
      .attr("fill", Number.isFinite(v) ? d3.interpolateRdBu(0.5 + 0.5 * Math.max(-1, Math.min(1, v / ext))) : "#eee")
      .append("title").text(`${p.exporter} → ${p.importer}: ${fmt(v, 2)}%`);
  }
  const fs = Math.min(11, cell - 1);
  codes.forEach((c, i) => {
    g.append("text").attr("x", m.l - 4).attr("y", m.t + i * cell + cell * 0.75).attr("text-anchor", "end").attr("font-size", fs).text(c);
    g.append("text").attr("transform", `translate(${m.l + i * cell + cell * 0.7},${m.t - 4}) rotate(-60)`).attr("font-size", fs).text(c);
  });
  g.append("text").attr("x", 0).attr("y", 12).attr("font-size", 11).attr("fill", "#667085").text(`rows: importer · columns: exporter · colour clipped at ±${fmt(ext, 1)}%`);
}

const SECTOR_COLS = [["price_pct", "price %"], ["unit_cost_pct", "unit cost %"], ["gross_output_pct", "gross output %"],
  ["exports_pct", "exports %"], ["imports_pct", "imports %"]];

function drawSectors() {
  const res = state.result;
  if (!res) return;
  const st = res.steps[state.step];
  const region = $("#sector-region").value;
  const names = Object.fromEntries(((state.info && state.info.name === res.dataset) ? state.info.sectors : []).map((s) => [s.code, s.name]));
  const rows = (st.sectors || []).filter((s) => s.region === region);
  const head = el("tr"); head.append(el("th", {}, "sector"));
  for (const [, label] of SECTOR_COLS) head.append(el("th", {}, label));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const s of rows) {
    const tr = el("tr");
    const name = el("td", {}, s.sector); if (names[s.sector]) name.title = names[s.sector];
    tr.append(name);
    for (const [c] of SECTOR_COLS) tr.append(el("td", { class: signClass(s[c]) }, fmt(s[c], 3)));
    tbody.append(tr);
  }
  $("#sectors-table").replaceChildren(thead, tbody);
}

// -- games (background jobs) -----------------------------------------------------------------
async function startGame() {
  showError("");
  const kind = $("#game-kind").value;
  const players = $("#game-players").value.split(",").map((x) => x.trim()).filter(Boolean);
  const body = { dataset: $("#dataset").value, model: $("#model").value, deficits: $("#deficits").value, mfn: $("#game-mfn").checked };
  if (kind === "optimal") body.player = players[0] || ""; else body.players = players;
  let job;
  try { job = await api("POST", `/api/jobs/${kind}`, body); } catch (e) { showError(e.message); return; }
  $("#game-run").disabled = true;
  const t0 = performance.now();
  while (job.status === "queued" || job.status === "running") {
    $("#game-status").textContent = `${job.status}: ${job.message} (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
    await new Promise((r) => setTimeout(r, 1000));
    try { job = await api("GET", `/api/jobs/${job.id}`); } catch (e) { showError(e.message); break; }
  }
  $("#game-run").disabled = false;
  $("#game-status").textContent = `${job.status} after ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  if (job.status !== "done") { showError((job.error && job.error.message) || job.message); return; }
  showGame(job.result);
}

function showGame(res) {
  $("#game-card").hidden = false;
  $("#game-title").textContent = `${res.kind}: ${res.players.join(", ")} (${res.mfn ? "MFN" : "discriminatory"}) on ${res.dataset} · ${res.model}`;
  const c = res.certificate;
  const parts = [`converged ${res.converged}`, `first-order residual ${Number(c.foc_residual).toExponential(1)}`,
    `equilibrium residual ${Number(c.equilibrium_residual).toExponential(1)}`];
  if (c.max_deviation_gain_pct !== null && c.max_deviation_gain_pct !== undefined) parts.push(`largest gain from deviating ${Number(c.max_deviation_gain_pct).toExponential(1)}%`);
  parts.push(`${Number(res.seconds).toFixed(1)} s`);
  $("#game-cert").textContent = parts.join(" · ");
  const cols = ["welfare_pct", "real_wage_pct", "median_tariff_pct"].filter((k) => res.regions[0] && k in res.regions[0]);
  const head = el("tr"); head.append(el("th", {}, "region"));
  for (const k of cols) head.append(el("th", {}, k.replace("_pct", " %").replace(/_/g, " ")));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const r of res.regions) {
    const tr = el("tr"); tr.append(el("td", {}, r.player ? `${r.code} (player)` : r.code));
    for (const k of cols) tr.append(el("td", { class: k === "median_tariff_pct" ? "" : signClass(r[k]) }, fmt(r[k], 3)));
    tbody.append(tr);
  }
  $("#game-table").replaceChildren(thead, tbody);
}

// -- wiring ----------------------------------------------------------------------------------
$("#dataset").addEventListener("change", () => loadDataset().catch((e) => showError(e.message)));
$("#add-row").addEventListener("click", () => addRow());
$("#run").addEventListener("click", run);
$("#reset").addEventListener("click", () => {
  for (const id of ["#us-chn", "#chn-us"]) { $(`${id}-mode`).value = "add_pp"; $(`${id}-value`).value = "0"; }
  $("#extra-policies tbody").replaceChildren();
});
$("#load-scenario").addEventListener("click", runScenario);
$("#step-prev").addEventListener("click", () => setStep(state.step - 1));
$("#step-next").addEventListener("click", () => setStep(state.step + 1));
$("#step-range").addEventListener("input", (e) => setStep(Number(e.target.value)));
$("#sector-region").addEventListener("change", drawSectors);
$("#game-run").addEventListener("click", startGame);
window.addEventListener("resize", () => { if (state.result) setStep(state.step); });
init();
