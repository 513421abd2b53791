// tradewar dashboard: plain JavaScript over the JSON API (/openapi.json). d3 and the world
// geometry are vendored under /static/vendor; nothing is fetched from elsewhere.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { info: null, result: null, step: 0, atlas: null, scenarios: [] };
const LANDING = "us-china-2025";  // the main job: the dashboard opens on its last step

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
function fmt(v, d = 2) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return "–";
  const t = Number(v).toFixed(d);
  return Number(t) === 0 ? (0).toFixed(d) : t;  // never "-0.00"
}
// a change with its sign: "+0.12", "-0.07", "0.00"
function signed(v, d = 2) { const t = fmt(v, d); return Number(t) > 0 ? "+" + t : t; }
function money(v, d = 0) { return v === null || v === undefined ? "–" : Number(Number(v).toFixed(d)).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }); }
// Okabe-Ito: blue = good for the region, vermillion = bad (readable with colour-vision deficiencies)
const GOOD = "#0072B2", BAD = "#D55E00";
// a diverging ramp from bad (-1) through white (0) to good (+1)
function goodBad(t) { return t >= 0 ? d3.interpolateRgb("#f7f7f7", GOOD)(Math.min(1, t)) : d3.interpolateRgb("#f7f7f7", BAD)(Math.min(1, -t)); }
function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function option(value, text, selected) { const o = el("option", { value }, text); if (selected) o.selected = true; return o; }
// CSS class saying whether a change is good or bad for the region: `sense` +1 when a rise is
// good (welfare, real wage), -1 when a rise is bad (consumer prices), 0 when neither (trade)
function goodBadClass(v, sense = 1) { const x = Number(fmt(v)) * sense; return sense === 0 || x === 0 ? "" : x > 0 ? "good" : "bad"; }
function busy(on) { for (const b of document.querySelectorAll("button")) b.disabled = on; }

// -- setup ----------------------------------------------------------------------------------
async function init() {
  try {
    const [ds, models, sc] = await Promise.all([api("GET", "/api/datasets"), api("GET", "/api/models"), api("GET", "/api/scenarios")]);
    for (const d of ds.datasets) $("#dataset").append(option(d.name, d.name, d.name === ds.default));
    for (const m of models.models) $("#model").append(option(m.name, m.name, m.name === models.default));
    state.scenarios = sc.scenarios.filter((s) => !s.error);
    for (const s of state.scenarios) $("#scenario").append(option(s.name, s.title ? `${s.name}: ${s.title}` : s.name, s.name === LANDING));
    if (!state.scenarios.length) { $("#scenario").append(option("", "none bundled")); $("#load-scenario").disabled = true; }
    await loadDataset();
    setStatus("ready");
    // open on the story: the main job's last step (the server solves it at start-up and keeps it cached)
    if (state.scenarios.some((s) => s.name === LANDING)) { $("#scenario").value = LANDING; await runScenario(); }
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
  const measure = welfareKey(st.regions);
  $("#result-title").textContent = `${measure === "real_income_pct" ? "Real income" : "Welfare"} by region, % change from baseline — ${res.title}${res.steps.length > 1 ? ": " + (st.date || st.label) : ""}`;
  const hl = $("#headline");
  hl.replaceChildren();
  const fig = (id, label, value, title) => { const sp = el("span", { class: "figure", title }); sp.append(el("span", {}, label), el("b", { id }, value)); hl.append(sp); };
  if (st.us_tariff_on_china_pct !== undefined) {
    fig("us-avg", "US tariff on China ", `${fmt(st.us_tariff_on_china_pct, 1)}%`, "trade-weighted goods average at baseline trade");
    fig("chn-avg", "China's tariff on the US ", `${fmt(st.china_tariff_on_us_pct, 1)}%`, "trade-weighted goods average at baseline trade");
  }
  const h = st.headline || {};
  if (h.us_consumer_prices_pct !== undefined) {
    fig("us-prices", "US consumer prices ", `${signed(h.us_consumer_prices_pct)}%`, "change in the US consumer price index relative to US wages");
    fig("us-household", "cost per US household ", `$${money(Math.round(h.us_cost_per_household_usd / 10) * 10)}/yr`,
      `the price change times US final expenditure over 131.2 million households, ${h.money_year} dollars`);
    fig("us-revenue", "US tariff revenue ", `$${money(h.us_tariff_revenue_usd_bn)} bn/yr`, `in the new equilibrium, ${h.money_year} dollars`);
  }
  hl.append(el("span", { class: "figure muted" }, `${res.dataset} · ${res.model}`));
  drawBars(st.regions);
  drawMap();
  drawRegionsTable(st.regions);
  drawPairs(st.bilateral || []);
  drawMatrix(st.bilateral || [], st.regions.map((r) => r.code));
  drawSectors();
}

// -- views -----------------------------------------------------------------------------------
// the welfare measure shown: the exact change in real income where the model has it
function welfareKey(regions) { return regions[0] && "real_income_pct" in regions[0] ? "real_income_pct" : "welfare_pct"; }

function legendRamp(container, lo, hi, colour, lowText, highText) {
  const stops = Array.from({ length: 11 }, (_, i) => colour(-1 + i / 5)).join(",");
  const ramp = el("span", { class: "ramp" });
  ramp.style.background = `linear-gradient(to right, ${stops})`;
  container.replaceChildren(el("span", {}, lo), ramp, el("span", {}, hi), el("span", { class: "legend-text" }, ` ${lowText} · ${highText}`));
}

function drawBars(regions) {
  const key = welfareKey(regions);
  const rows = regions.slice().sort((a, b) => b[key] - a[key]);
  const svg = d3.select("#welfare-bars");
  const width = $("#welfare-bars").clientWidth || 520, bar = 16, m = { l: 80, r: 56, t: 6, b: 6 };
  const height = m.t + m.b + rows.length * bar;
  svg.attr("viewBox", `0 0 ${width} ${height}`).attr("height", height).selectAll("*").remove();
  const ext = d3.max(rows, (r) => Math.abs(r[key])) || 1;
  const x = d3.scaleLinear().domain([-ext, ext]).range([m.l, width - m.r]);
  const g = svg.append("g");
  rows.forEach((r, i) => {
    const y = m.t + i * bar;
    g.append("rect").attr("class", "bar").attr("data-region", r.code)
      .attr("x", Math.min(x(0), x(r[key]))).attr("y", y + 2).attr("height", bar - 4)
      .attr("width", Math.abs(x(r[key]) - x(0))).attr("fill", r[key] < 0 ? BAD : GOOD)
      .append("title").text(`${r.code}: ${signed(r[key], 3)}%`);
    g.append("text").attr("x", m.l - 6).attr("y", y + bar - 4).attr("text-anchor", "end").attr("font-size", 11).text(r.code);
    g.append("text").attr("x", width - 4).attr("y", y + bar - 4)
      .attr("text-anchor", "end").attr("font-size", 10).attr("fill", "#667085").text(`${signed(r[key])}%`);
  });
  g.append("line").attr("x1", x(0)).attr("x2", x(0)).attr("y1", m.t).attr("y2", height - m.b).attr("stroke", "#98a2b3");
  const legend = $("#bars-legend");
  legend.replaceChildren();
  for (const [colour, text] of [[GOOD, "gain"], [BAD, "loss"]]) {
    const sw = el("span", { class: "swatch" }); sw.style.background = colour; legend.append(sw, el("span", {}, text));
  }
  legend.append(el("span", { class: "legend-text" }, key === "real_income_pct" ? " real income (income deflated by consumer prices), % change" : " welfare, % change"));
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
  const key = welfareKey(st.regions);
  const codes = st.regions.map((r) => r.code);
  const value = Object.fromEntries(st.regions.map((r) => [r.code, r[key]]));
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
  const ext = d3.max(st.regions, (r) => Math.abs(r[key])) || 1;
  const color = (v) => goodBad(v / ext);
  const region = (f) => owner.get(f.id) || rest;
  const countries = svg.select("g").selectAll("path");
  countries.attr("data-region", (f) => region(f) || "")
    .attr("fill", (f) => { const r = region(f); return r && value[r] !== undefined ? color(value[r]) : "#ddd"; });
  countries.select("title").text((f) => { const r = region(f); return `${f.properties.name} (${r || "not in the dataset"}): ${r ? signed(value[r], 3) + "%" : "–"}`; });
  legendRamp($("#map-legend"), `${signed(-ext)}%`, `${signed(ext)}%`, goodBad, "loss (vermillion)",
    `gain (blue): ${key === "real_income_pct" ? "real income" : "welfare"}, % change; grey: not in the dataset`);
}

// [key, header with unit, decimals, good/bad sense (+1 rise good, -1 rise bad, 0 neither)]
const REGION_COLS = [
  ["real_income_pct", "real income %", 2, 1], ["welfare_pct", "welfare %", 2, 1],
  ["real_wage_pct", "real wage %", 2, 1], ["consumer_prices_pct", "consumer prices vs wages %", 2, -1],
  ["terms_of_trade_pct", "terms of trade %", 2, 1], ["exports_pct", "exports %", 2, 0], ["imports_pct", "imports %", 2, 0],
  ["tariff_revenue_change", "tariff revenue change MONEY", 1, 0],
];

// the dataset's unit of money: [divisor to $bn, label], or the dataset's own units
function moneyUnit() {
  const m = state.info && state.info.money;
  return m ? [1e9 / m.dollars, `$bn/yr (${m.year})`] : [1, "(data units)"];
}

function drawRegionsTable(regions) {
  const [div, unit] = moneyUnit();
  const rows = regions.map((r) => ({
    ...r,
    consumer_prices_pct: r.real_wage_pct !== undefined ? 100 / (1 + r.real_wage_pct / 100) - 100 : undefined,
    tariff_revenue_change: r.tariff_revenue_new !== undefined ? (r.tariff_revenue_new - r.tariff_revenue_old) / div : undefined,
  }));
  // one welfare measure: the exact real income where the model has it (as `tradewar run`)
  const skip = welfareKey(rows) === "real_income_pct" ? "welfare_pct" : "";
  const cols = REGION_COLS.filter(([c]) => c !== skip && rows[0] && rows[0][c] !== undefined);
  const t = $("#regions-table");
  const head = el("tr"); head.append(el("th", {}, "region"));
  for (const [, label] of cols) head.append(el("th", {}, label.replace("MONEY", unit)));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr", { "data-region": r.code });
    tr.append(el("td", {}, r.code));
    for (const [c, , digits, sense] of cols) {
      const v = r[c];
      tr.append(el("td", { "data-region": r.code, "data-col": c, "data-value": String(v), class: goodBadClass(v, sense) }, signed(v, digits)));
    }
    tbody.append(tr);
  }
  t.replaceChildren(thead, tbody);
  $("#regions-note").textContent = "Blue: good for the region, vermillion: bad (a rise in consumer prices is bad; trade flows are neither). "
    + "Consumer prices: the consumer price index relative to the region's wage.";
}

function drawPairs(pairs) {
  const [div, unit] = moneyUnit();
  const rows = pairs.map((p) => ({ ...p, diff: p.trade_new - p.trade_old })).filter((p) => Number.isFinite(p.diff))
    .sort((a, b) => Math.abs(b.diff) - Math.abs(a.diff)).slice(0, 14);
  const t = $("#pairs-table");
  const head = el("tr");
  for (const h of ["exporter → importer", `before, ${unit}`, `after, ${unit}`, "change %"]) head.append(el("th", {}, h));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const p of rows) {
    const tr = el("tr", { "data-pair": `${p.exporter}-${p.importer}` });
    tr.append(el("td", {}, `${p.exporter} → ${p.importer}`), el("td", {}, money(p.trade_old / div, 1)), el("td", {}, money(p.trade_new / div, 1)),
      el("td", {}, signed(p.trade_change_pct, 1)));
    tbody.append(tr);
  }
  t.replaceChildren(thead, tbody);
}

// trade change: purple falls, green rises (PRGn, colour-blind safe); neither good nor bad in itself
function tradeColour(t) { return d3.interpolatePRGn(0.5 + 0.5 * Math.max(-1, Math.min(1, t))); }

function drawMatrix(pairs, codes) {
  const svg = d3.select("#pairs-matrix");
  const width = $("#pairs-matrix").clientWidth || 520;
  const fsMax = 11;
  const longest = d3.max(codes, (c) => c.length) || 3;
  // room for the longest code (ASEAN_OTH): about 0.75 em a character, the column labels at 60 degrees
  const label = Math.ceil(longest * fsMax * 0.75);
  const m = { l: label + 8, t: Math.ceil(label * 0.9) + 10 };
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
      .attr("fill", Number.isFinite(v) ? tradeColour(v / ext) : "#eee")
      .append("title").text(`${p.exporter} → ${p.importer}: ${signed(v, 1)}%`);
  }
  const fs = Math.min(fsMax, cell - 1);
  codes.forEach((c, i) => {
    g.append("text").attr("x", m.l - 4).attr("y", m.t + i * cell + cell * 0.75).attr("text-anchor", "end").attr("font-size", fs).text(c);
    g.append("text").attr("transform", `translate(${m.l + i * cell + cell * 0.7},${m.t - 4}) rotate(-60)`).attr("font-size", fs).text(c);
  });
  legendRamp($("#matrix-legend"), `≤ ${signed(-ext, 0)}%`, `≥ ${signed(ext, 0)}%`, tradeColour, "trade falls",
    "trade rises (change in the exporter's sales to the importer, %); rows: importer, columns: exporter");
}

const SECTOR_COLS = [["price_pct", "price %", 0], ["unit_cost_pct", "unit cost %", 0], ["gross_output_pct", "gross output %", 0],
  ["exports_pct", "exports %", 0], ["imports_pct", "imports %", 0]];

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
    for (const [c, , sense] of SECTOR_COLS) tr.append(el("td", { class: goodBadClass(s[c], sense) }, signed(s[c])));
    tbody.append(tr);
  }
  $("#sectors-table").replaceChildren(thead, tbody);
}

// -- games (background jobs) -----------------------------------------------------------------
async function startGame() {
  showError("");
  const kind = $("#game-kind").value;
  const players = $("#game-players").value.split(",").map((x) => x.trim()).filter(Boolean);
  const body = { dataset: $("#dataset").value, model: $("#model").value, deficits: $("#deficits").value, horizon: $("#game-horizon").value };
  if (kind === "frontier") {
    body.players = players;
    body.instruments = $("#game-instruments").value;
    body.points = Number($("#game-points").value);
  } else {
    body.mfn = $("#game-mfn").checked;
    if (kind === "optimal") body.player = players[0] || ""; else body.players = players;
  }
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
  if (kind === "frontier") showFrontier(job.result); else showGame(job.result);
}

// The options that apply to the chosen game: export controls and frontier points only in the
// frontier game (its war and deal are played over the same instruments), MFN only outside it.
function gameOptions() {
  const frontier = $("#game-kind").value === "frontier";
  $("#game-instruments").disabled = !frontier;
  if (!frontier) $("#game-instruments").value = "tariffs";
  $("#game-points-label").hidden = !frontier;
  $("#game-mfn-label").hidden = frontier;
}

// Points of the talks frontier (`tradewar frontier --json`): the traced frontier, the war, the
// deal, the Busan policy (USA,CHN) and the baseline, payoffs in exact real income (%).
const FRONTIER_MARKS = [
  ["baseline", "baseline (2022)", "#667085", d3.symbolSquare],
  ["war", "Nash war", "#D55E00", d3.symbolTriangle],
  ["deal", "Nash-bargaining deal", "#0072B2", d3.symbolDiamond],
  ["busan", "Busan deal (Nov 10, 2025)", "#CC79A7", d3.symbolStar],
];

function showFrontier(res) {
  const [a, b] = res.players;
  $("#frontier-card").hidden = false;
  $("#frontier-title").textContent = `Talks frontier ${a}-${b}: ${res.instruments}, ${res.horizon} run, on ${res.dataset}`;
  $("#frontier-note").textContent = `${res.payoff}; ${res.frontier.length} frontier points (weighted optima), ${Number(res.seconds).toFixed(0)} s`;
  const marks = FRONTIER_MARKS.filter(([key]) => res[key]).map(([key, label, colour, symbol]) => ({ key, label, colour, symbol, p: res[key].payoffs }));
  const all = res.frontier.map((f) => [f[a], f[b]]).concat(marks.map((m) => [m.p[a], m.p[b]]));
  const svg = d3.select("#frontier-plot");
  svg.selectAll("*").remove();
  const width = Math.max(320, $("#frontier-plot").clientWidth || 640), height = 340;
  const m = { top: 14, right: 20, bottom: 42, left: 62 };
  svg.attr("viewBox", `0 0 ${width} ${height}`).attr("height", height);
  const pad = (lo, hi) => { const d = (hi - lo) || Math.abs(hi) || 1; return [lo - 0.08 * d, hi + 0.08 * d]; };
  const x = d3.scaleLinear().domain(pad(d3.min(all, (q) => q[0]), d3.max(all, (q) => q[0]))).range([m.left, width - m.right]);
  const y = d3.scaleLinear().domain(pad(d3.min(all, (q) => q[1]), d3.max(all, (q) => q[1]))).range([height - m.bottom, m.top]);
  svg.append("g").attr("transform", `translate(0,${height - m.bottom})`).call(d3.axisBottom(x).ticks(6));
  svg.append("g").attr("transform", `translate(${m.left},0)`).call(d3.axisLeft(y).ticks(6));
  svg.append("text").attr("x", (m.left + width - m.right) / 2).attr("y", height - 6).attr("text-anchor", "middle").attr("class", "axis-label").text(`${a} real income, % change`);
  svg.append("text").attr("transform", `translate(14,${(m.top + height - m.bottom) / 2}) rotate(-90)`).attr("text-anchor", "middle").attr("class", "axis-label").text(`${b} real income, % change`);
  svg.append("path").datum(res.frontier).attr("class", "frontier-line").attr("fill", "none").attr("stroke", "#1d2330").attr("stroke-width", 1.5)
    .attr("d", d3.line().x((f) => x(f[a])).y((f) => y(f[b])));
  svg.append("g").selectAll("circle").data(res.frontier).join("circle").attr("class", "frontier-point")
    .attr("cx", (f) => x(f[a])).attr("cy", (f) => y(f[b])).attr("r", 3).attr("fill", "#1d2330")
    .attr("data-a", (f) => f[a]).attr("data-b", (f) => f[b]);
  const g = svg.append("g").selectAll("g").data(marks).join("g").attr("class", "marker").attr("data-point", (d) => d.key)
    .attr("data-a", (d) => d.p[a]).attr("data-b", (d) => d.p[b]).attr("transform", (d) => `translate(${x(d.p[a])},${y(d.p[b])})`);
  g.append("path").attr("d", (d) => d3.symbol(d.symbol, 90)()).attr("fill", (d) => d.colour);
  g.append("title").text((d) => `${d.label}: ${a} ${signed(d.p[a], 3)}%, ${b} ${signed(d.p[b], 3)}%`);
  const legend = $("#frontier-legend");
  legend.replaceChildren();
  legend.append(el("span", { class: "swatch", style: "background:#1d2330" }), el("span", {}, "frontier"));
  for (const mk of marks) legend.append(el("span", { class: "swatch", style: `background:${mk.colour}` }), el("span", {}, mk.label));
  // the points as numbers, with their certificates ("converged" only for the solved points: war, deal)
  const head = el("tr");
  for (const h of ["point", `${a} %`, `${b} %`, `${a} tariff on ${b} %`, `${b} tariff on ${a} %`, "converged", "largest gain from deviating %", "first-order residual"]) head.append(el("th", {}, h));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  for (const mk of marks) {
    const entry = res[mk.key], cert = entry.certificate || {}, t = entry.tariffs_pct || {};
    const tr = el("tr", { "data-point": mk.key });
    tr.append(el("td", {}, mk.label), el("td", { class: goodBadClass(mk.p[a]) }, signed(mk.p[a], 3)), el("td", { class: goodBadClass(mk.p[b]) }, signed(mk.p[b], 3)),
      el("td", {}, fmt(t[`${a}_on_${b}`])), el("td", {}, fmt(t[`${b}_on_${a}`])),
      el("td", { class: "converged" }, entry.converged == null ? "–" : (entry.converged ? "yes" : "NO")),
      el("td", {}, cert.max_deviation_gain_pct == null ? "–" : Number(cert.max_deviation_gain_pct).toExponential(1)),
      el("td", {}, cert.foc_residual == null ? "–" : Number(cert.foc_residual).toExponential(1)));
    tbody.append(tr);
  }
  $("#frontier-table").replaceChildren(thead, tbody);
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
    for (const k of cols) tr.append(el("td", { class: k === "median_tariff_pct" ? "" : goodBadClass(r[k]) }, k === "median_tariff_pct" ? fmt(r[k]) : signed(r[k])));
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
$("#game-kind").addEventListener("change", gameOptions);
gameOptions();
window.addEventListener("resize", () => { if (state.result) setStep(state.step); });
init();
