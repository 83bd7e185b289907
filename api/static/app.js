// newsmon desk: live feed, alert inbox, search, article view, map and rule editor.
// Everything that comes from articles is inserted as text (textContent / text nodes), never as
// HTML, so a story cannot inject markup into the desk.
import { geoNaturalEarth1, geoPath } from "d3-geo";

const state = { key: null, filters: [], next: null, alertsShown: new Set(), liveAlerts: new Map(), alertData: new Map(), triaging: new Set(), acked: new Set(), atlas: null };

// --- small helpers ------------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "style") Object.assign(node.style, value); // CSSOM: allowed by the CSP
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

class ApiError extends Error {
  constructor(status, body) {
    super(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { "X-API-Key": state.key, ...(options.body ? { "Content-Type": "application/json" } : {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) { askKey("That key was refused."); throw new ApiError(401, { detail: "unauthorised" }); }
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// The stream shows articles and alerts as soon as they exist; the index may need a moment more,
// so a 404 for something the stream just showed is retried for a few seconds.
async function soon(call) {
  for (let attempt = 0; ; attempt++) {
    try { return await call(); }
    catch (failure) {
      if (failure.status !== 404 || attempt >= 5) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function when(value) {
  if (!value) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return isNaN(date) ? String(value) : date.toLocaleString();
}

// "a «b» c" -> text nodes with <mark> around the matches (the API's snippets use « »)
function marked(snippet) {
  return String(snippet || "").split(/[«»]/).map((part, i) => (i % 2 ? el("mark", {}, part) : part));
}

function segmentsNode(segments) {
  return el("p", { class: "snippet" }, segments.map(([text, hit]) => (hit ? el("mark", {}, text) : text)));
}

// --- key --------------------------------------------------------------------------------------
function askKey(message) {
  const form = document.querySelector("#key-form");
  form.hidden = false;
  if (message) form.querySelector(".hint").textContent = message;
}

function loadKey() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromHash) {
    localStorage.setItem("newsmon-key", fromHash);
    history.replaceState(null, "", location.pathname);
  }
  state.key = localStorage.getItem("newsmon-key");
  document.querySelector("#key-form form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem("newsmon-key", event.target.key.value);
    location.reload();
  });
  if (!state.key) askKey();
  return Boolean(state.key);
}

// --- tabs -------------------------------------------------------------------------------------
const loaders = { stories: loadStories, alerts: loadAlerts, search: () => runSearch(), map: drawMap, rules: loadRules, status: loadStatus };

function showTab(name) {
  for (const button of document.querySelectorAll("nav button")) button.classList.toggle("active", button.dataset.tab === name);
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== name;
  if (loaders[name]) loaders[name]().catch(showError);
}

function showError(error) {
  console.error(error);
  const target = document.querySelector("#search-error");
  if (target && !document.querySelector("#search").hidden) {
    target.hidden = false;
    target.textContent = error.message;
  }
}

// --- cards ------------------------------------------------------------------------------------
function articleCard(article) {
  const chips = el("div", { class: "chips" },
    (article.entities || []).slice(0, 6).map((e) => el("span", { class: "chip" }, e.split(":").slice(1).join(":"))),
    (article.places || []).slice(0, 4).map((p) => el("span", { class: "chip place", dataset: { country: p.country_code || "" } }, `${p.name} (${p.country_code || "?"})`)),
    (article.events || []).map((e) => el("span", { class: "chip event" }, e.type + (e.fatalities ? ` · ${e.fatalities} killed` : "") + (e.background ? " · earlier" : ""))));
  return el("li", { class: "card article-card", dataset: { id: article.id } },
    el("h3", { onclick: () => openArticle(article.id) }, article.title || article.id),
    el("div", { class: "meta" }, [article.source, when(article.published_at || article.enriched_at || article.date)].filter(Boolean).join(" · ")),
    chips,
    article.snippet ? el("p", { class: "snippet" }, article.snippet) : null);
}

// --- top stories ------------------------------------------------------------------------------
function values(buckets, n = 4) { return (buckets || []).slice(0, n).map((b) => b.value); }

function storyCard(story) {
  const articles = el("ol", { class: "story-articles", hidden: true });
  const toggle = el("button", { class: "story-toggle" }, `${story.articles} article(s)`);
  toggle.addEventListener("click", async () => {
    if (!articles.hidden) { articles.hidden = true; return; }
    const params = new URLSearchParams({ story: story.id, size: "50", sort: "time" });
    const found = await api(`/search?${params}`);
    articles.replaceChildren(...found.hits.map((hit) => el("li", { dataset: { id: hit.id } },
      el("a", { href: "#", onclick: (event) => { event.preventDefault(); openArticle(hit.id); } }, hit.title || hit.id),
      el("span", { class: "meta" }, ` ${[hit.source, when(hit.date)].filter(Boolean).join(" · ")}`))));
    articles.hidden = false;
  });
  const pace = story.growth > 0 ? `+${story.growth}/h` : `${story.growth}/h`;
  return el("li", { class: "card story-card" + (story.breaking ? " breaking" : ""), dataset: { id: story.id, articles: String(story.articles) } },
    el("h3", {}, story.breaking ? el("span", { class: "badge" }, "breaking") : null, story.title || story.id),
    el("div", { class: "meta" }, [`${story.recent} in the last ${state.storiesRecent || "?"} h`, `growth ${pace}`, `latest ${when(story.latest)}`].join(" · ")),
    el("div", { class: "chips" },
      values(story.sources, 6).map((s) => el("span", { class: "chip" }, s)),
      values(story.places).map((p) => el("span", { class: "chip place" }, p)),
      values(story.event_types).map((t) => el("span", { class: "chip event" }, t))),
    toggle, articles);
}

async function loadStories() {
  const form = new FormData(document.querySelector("#stories-form"));
  const params = new URLSearchParams({ window: form.get("window") || "24h", limit: "30" });
  if (form.get("q")) params.set("q", form.get("q"));
  for (const c of String(form.get("country") || "").split(/[ ,]+/).filter(Boolean)) params.append("country", c.toUpperCase());
  const list = document.querySelector("#stories-list");
  const asked = (state.storiesAsked = (state.storiesAsked || 0) + 1);
  try {
    const found = await api(`/stories?${params}`);
    if (asked !== state.storiesAsked) return;  // a later request is under way: it draws the list
    state.storiesRecent = found.recent_hours;
    list.replaceChildren(...found.stories.map(storyCard));
    if (!found.stories.length) list.replaceChildren(el("li", { class: "hint" }, "No stories in this window."));
  } catch (error) {
    if (asked === state.storiesAsked) list.replaceChildren(el("li", { class: "error" }, error.message));
  }
}

const STATE_LABEL = { new: "new", snoozed: "snoozed", acknowledged: "acknowledged" };

function alertState(alert) {
  if (alert.acknowledged) return "acknowledged";
  return alert.snoozed_until && alert.snoozed_until * 1000 > Date.now() ? "snoozed" : "new";
}

// One triage action on an alert; the card is redrawn from the API's answer (who, when, state).
async function triage(alert, card, action, body = {}) {
  const before = alertState(alert);
  state.triaging.add(alert.id);  // the stream's echo of this action must not race the answer
  let updated;
  try { updated = await soon(() => api(`/alerts/${alert.id}/${action}`, { method: "POST", body: JSON.stringify(body) })); }
  finally { state.triaging.delete(alert.id); }
  if (updated.state === "acknowledged") state.acked.add(alert.id); else state.acked.delete(alert.id);
  card.replaceWith(alertCard({ ...alert, ...updated }));
  if (before !== updated.state) refreshAlertCounts();
}

// "Silence this rule for SY for a day": the values a silence can hold, read off the alert.
function silenceChoice(alert, note) {
  const matched = alert.matched || {};
  const place = matched.place || (matched.event || {}).place || {};
  const values = [["country", place.country_code], ["admin1", place.admin1], ["place", place.name], ["source", (alert.article || {}).source], ["event_type", (matched.event || {}).type]]
    .filter(([, value]) => value);
  if (!values.length) return null;
  const options = values.flatMap(([key, value]) => [["4h", "4 hours"], ["24h", "a day"], ["7d", "a week"]]
    .map(([span, words]) => el("option", { value: JSON.stringify({ key, value, for: span }) }, `${key} ${value} for ${words}`)));
  return el("select", { class: "silence", title: "no alerts of this rule for that value until the silence ends", onchange: async (event) => {
    const choice = event.target.value;
    event.target.value = "";
    if (!choice) return;
    try {
      await api("/silences", { method: "POST", body: JSON.stringify({ rule_id: alert.rule_id, note: note(), ...JSON.parse(choice) }) });
      loadSilences();
    } catch (failure) { showError(failure); }
  } }, el("option", { value: "" }, "Silence rule…"), options);
}

async function loadSilences() {
  const result = await api("/silences");
  const active = result.data.filter((s) => s.active);
  document.querySelector("#silences").replaceChildren(...active.map((s) => el("li", { class: "silence-row", dataset: { id: s.id } },
    `${s.rule_id === "*" ? "every rule" : s.rule_id}: ${s.key} ${s.value} silenced until ${when(s.until)} by ${s.by}${s.note ? ` (“${s.note}”)` : ""} `,
    el("button", { class: "lift", onclick: async () => { await api(`/silences/${encodeURIComponent(s.id)}`, { method: "DELETE" }).catch(showError); loadSilences(); } }, "Lift"))));
}

function alertCard(alert) {
  state.alertData.set(alert.id, alert);  // what a triage update from the stream is merged into
  if (state.alertData.size > 1000) state.alertData.delete(state.alertData.keys().next().value);
  const matched = alert.matched || {};
  const current = alert.state || alertState(alert);
  const classes = `card alert-card${current === "acknowledged" ? " acked" : ""}${current === "snoozed" ? " snoozed" : ""}`;
  const card = el("li", { class: classes, dataset: { id: alert.id, rule: alert.rule_id, state: current } },
    el("h3", { onclick: () => openArticle(alert.article_id) }, `${alert.rule_name}: ${(alert.article || {}).title || alert.article_id}`),
    el("div", { class: "meta" }, [
      el("span", { class: `state ${current}` }, current === "snoozed" ? `snoozed until ${when(alert.snoozed_until)}` : STATE_LABEL[current]),
      ` · ${[alert.kind, when(alert.fired_at), alert.latency_ms != null ? `${alert.latency_ms} ms after arrival` : null, alert.assignee ? `assigned to ${alert.assignee}` : null, alert.acknowledged_by ? `acknowledged by ${alert.acknowledged_by}` : null, alert.silenced ? `${alert.silenced} silenced before it` : null].filter(Boolean).join(" · ")}`]),
    alert.note ? el("p", { class: "note" }, alert.note) : null,
    matched.snippet ? el("p", { class: "snippet" }, marked(matched.snippet)) : null,
    el("div", { class: "chips" },
      matched.place ? el("span", { class: "chip place" }, `${matched.place.name} (${matched.place.country_code || "?"})`) : null,
      matched.event ? el("span", { class: "chip event" }, `${matched.event.type}${matched.event.fatalities ? ` · ${matched.event.fatalities} killed` : ""}`) : null,
      (matched.entities || []).map((e) => el("span", { class: "chip" }, e.canonical || e.text))));
  const note = () => card.querySelector(".triage-note").value.trim() || undefined;
  const run = (action, body = {}) => triage(alert, card, action, { note: note(), ...body }).catch(showError);
  const actions = el("div", { class: "buttons" },
    el("input", { class: "triage-note", placeholder: "note (optional)", size: 24, maxlength: 2000 }),
    current === "acknowledged"
      ? el("button", { class: "reopen", onclick: () => run("reopen") }, "Reopen")
      : el("button", { class: "ack", onclick: () => run("ack") }, "Acknowledge"),
    el("select", { class: "snooze", title: "snooze: out of the inbox until then, then new again", onchange: (event) => { const span = event.target.value; event.target.value = ""; if (span) run("snooze", { for: span }); } },
      el("option", { value: "" }, "Snooze…"), el("option", { value: "1h" }, "1 hour"), el("option", { value: "4h" }, "4 hours"),
      el("option", { value: "24h" }, "1 day"), el("option", { value: "7d" }, "1 week")),
    current === "snoozed" ? el("button", { class: "wake", onclick: () => run("reopen") }, "Wake") : null,
    el("input", { class: "assignee", placeholder: "assign to", size: 12, value: alert.assignee || "" }),
    el("button", { class: "assign", onclick: () => run("assign", { assignee: card.querySelector(".assignee").value.trim() || null }) }, "Assign"),
    el("button", { class: "add-note", onclick: () => (note() ? run("note") : null) }, "Add note"),
    silenceChoice(alert, note));
  card.append(actions);
  const history = alert.history || [];
  if (history.length) {
    card.append(el("details", { class: "history" }, el("summary", {}, `history (${history.length})`),
      el("ol", {}, history.map((h) => el("li", {}, [when(h.at), h.by, h.action, h.assignee ? `to ${h.assignee}` : null, h.until ? `until ${when(h.until)}` : null, h.note ? `“${h.note}”` : null].filter(Boolean).join(" · "))))));
  }
  return card;
}

// --- live -------------------------------------------------------------------------------------
// Two streams: articles (narrowed by the live filter form) and alerts (always all of them).
const streams = {};

function openStream(kind, params, onMessage) {
  streams[kind]?.close();
  const query = new URLSearchParams(params);
  query.set("kinds", kind);
  query.set("key", state.key);
  const source = new EventSource(`/stream?${query}`);
  const status = document.querySelector("#connection");
  source.onopen = () => { status.textContent = "live"; status.classList.add("ok"); };
  source.onerror = () => { status.textContent = "reconnecting…"; status.classList.remove("ok"); };
  source.addEventListener(kind, (event) => onMessage(JSON.parse(event.data)));
  streams[kind] = source;
}

function streamArticles() {
  const form = document.querySelector("#live-form");
  const params = [];
  if (form.q.value.trim()) params.push(["q", form.q.value.trim()]);
  for (const code of form.country.value.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean)) params.push(["country", code]);
  document.querySelector("#live-filter-state").textContent = params.length ? `showing only ${params.map(([k, v]) => `${k}=${v}`).join(", ")}` : "showing every article";
  const feed = document.querySelector("#live-feed");
  feed.replaceChildren();
  openStream("article", params, (article) => {
    feed.querySelector(`[data-id="${CSS.escape(article.id)}"]`)?.remove();  // enriched again
    feed.prepend(articleCard(article));
    while (feed.children.length > 200) feed.lastChild.remove();
  });
  seedLive(params);
}

// The latest articles already indexed, below whatever the stream has brought meanwhile: the
// tab has something to read at once, not only what arrives after it was opened.
async function seedLive(params) {
  const query = new URLSearchParams(params);
  query.set("sort", "time");
  query.set("size", "30");
  let result;
  try {
    result = await api(`/search?${query}`);
  } catch {
    return;  // the stream still runs; the search tab says what is wrong with a query
  }
  const feed = document.querySelector("#live-feed");
  const shown = new Set([...feed.children].map((card) => card.dataset.id));
  feed.append(...result.hits.filter((hit) => !shown.has(hit.id)).map((hit) => {
    const card = articleCard({ id: hit.id, title: hit.title, source: hit.source, date: hit.date, places: hit.places, events: hit.events });
    card.append(...hit.segments.map(segmentsNode));
    return card;
  }));
}

function startStream() {
  document.querySelector("#live-form").addEventListener("submit", (event) => { event.preventDefault(); streamArticles(); });
  streamArticles();
  openStream("alert", [], (alert) => {
    if (state.alertsShown.has(alert.id)) return;
    state.alertsShown.add(alert.id);
    state.liveAlerts.set(alert.id, alert);
    if (state.liveAlerts.size > 200) state.liveAlerts.delete(state.liveAlerts.keys().next().value);
    if (["", "new"].includes(inboxState())) document.querySelector("#alert-list").prepend(alertCard(alert));
    refreshAlertCounts();
  });
  // triage done by any desk on this API: the card changes in place, the counts follow
  openStream("triage", [], (update) => {
    if (state.triaging.has(update.id)) return;  // this desk's own action: its answer redraws
    if (update.state === "acknowledged") state.acked.add(update.id); else state.acked.delete(update.id);
    const base = state.alertData.get(update.id) || {};
    const merged = { ...base, ...update, article: base.article, matched: base.matched };
    if (state.liveAlerts.has(update.id)) state.liveAlerts.set(update.id, merged);
    const card = document.querySelector(`#alert-list [data-id="${CSS.escape(update.id)}"]`);
    if (card) {
      const wanted = inboxState();
      if (wanted && wanted !== update.state && card.dataset.state !== update.state) card.remove();
      else card.replaceWith(alertCard(merged));
    }
    refreshAlertCounts();
  });
}

// --- status -----------------------------------------------------------------------------------
async function loadStatus() {
  const response = await fetch("/healthz");
  const health = await response.json();
  const ok = (part) => (part && part.ok ? "ok" : `down${part && part.error ? `: ${part.error}` : ""}`);
  document.querySelector("#status-summary").replaceChildren(
    el("li", {}, `overall: ${health.status}`),
    el("li", {}, `Kafka: ${ok(health.kafka)}`),
    el("li", {}, `Elasticsearch: ${ok(health.elasticsearch)}`),
    el("li", {}, `lag: ${Object.entries(health.lag || {}).map(([t, n]) => `${t} ${n}`).join(", ") || "-"}`),
    el("li", {}, `rules loaded: ${health.rules}`));
  const rows = (health.feeds || []).map((feed) => el("tr", { class: feed.last_error ? "feed failing" : "feed", dataset: { url: feed.url } },
    el("td", {}, feed.source || ""), el("td", {}, feed.url), el("td", { class: "items" }, feed.items ?? 0),
    el("td", {}, when(feed.last_success)), el("td", { class: "error" }, feed.last_error ? `${feed.last_error} (${when(feed.last_error_at)})` : "")));
  document.querySelector("#feed-rows").replaceChildren(...rows);
  document.querySelector("#no-feeds").hidden = rows.length > 0;
}

// --- alerts -----------------------------------------------------------------------------------
function inboxState() { return document.querySelector("#alert-state").value; }

function inboxQuery() {
  const query = new URLSearchParams({ size: "100" });
  const who = document.querySelector("#alert-assignee").value.trim();
  if (who === "-") query.set("unassigned", "true"); else if (who) query.set("assignee", who);
  return query;
}

function showAlertCounts(states) {
  document.querySelector("#alert-count").textContent = states.new ? `(${states.new})` : "";
  for (const [name, n] of Object.entries(states)) {
    const option = document.querySelector(`#alert-state option[value=${name}]`);
    if (option) option.textContent = `${STATE_LABEL[name]} (${n})`;
  }
}

let countsTimer = null;
function refreshAlertCounts() {  // many alerts at once: one count request a second at most
  if (countsTimer) return;
  countsTimer = setTimeout(async () => {
    countsTimer = null;
    const query = inboxQuery();
    query.set("size", "1");
    try { showAlertCounts((await api(`/alerts?${query}`)).states); } catch { /* next time */ }
  }, 1000);
}

async function loadAlerts() {
  loadSilences().catch(showError);
  const wanted = inboxState();
  const query = inboxQuery();
  if (wanted) query.set("state", wanted);
  const result = await api(`/alerts?${query}`);
  // Alerts that came over the stream but are not in the index yet stay in the inbox.
  const listed = new Set(result.data.map((a) => a.id));
  const pending = wanted === "acknowledged" || query.has("assignee") || query.has("unassigned")
    ? []
    : [...state.liveAlerts.values()].filter((a) => !listed.has(a.id) && !state.acked.has(a.id) && alertState(a) === (wanted || alertState(a)));
  const alerts = [...pending, ...result.data].sort((a, b) => b.fired_at - a.fired_at);
  const list = document.querySelector("#alert-list");
  list.replaceChildren(...alerts.map(alertCard));
  result.data.forEach((a) => state.alertsShown.add(a.id));
  showAlertCounts({ ...result.states, new: result.states.new + pending.filter((a) => alertState(a) === "new").length });
}

// --- search -----------------------------------------------------------------------------------
const FACET_PARAM = { entities: "entity", countries: "country", regions: "region", event_types: "event_type", sources: "source" };

async function runSearch(append = false) {
  const params = searchParams();
  if (append && state.next) params.set("after", state.next);
  const error = document.querySelector("#search-error");
  error.hidden = true;
  let result;
  try {
    result = await api(`/search?${params}`);
  } catch (failure) {
    error.hidden = false;
    error.textContent = failure.message;
    return;
  }
  state.next = result.next;
  document.querySelector("#more").hidden = !result.next;
  document.querySelector("#search-total").textContent = `${result.total} article(s)`;
  const results = document.querySelector("#results");
  const cards = result.hits.map((hit) => el("li", { class: "card hit", dataset: { id: hit.id } },
    el("h3", { onclick: () => openArticle(hit.id) }, hit.title),
    el("div", { class: "meta" }, [hit.source, when(hit.date), hit.countries.join(", "), hit.duplicate_of && "copy of an earlier article"].filter(Boolean).join(" · ")),
    hit.segments.map(segmentsNode),
    el("div", { class: "chips" }, hit.event_types.map((t) => el("span", { class: "chip event" }, t)))));
  if (append) results.append(...cards); else results.replaceChildren(...cards);
  if (!append) { renderFacets(result.facets); renderHistogram(result.histogram); renderActiveFilters(); }
}

function renderFacets(facets) {
  const box = document.querySelector("#facets");
  box.replaceChildren();
  for (const [name, buckets] of Object.entries(facets)) {
    if (!buckets.length) continue;
    box.append(el("h4", {}, name.replace("_", " ")));
    for (const bucket of buckets) {
      const label = name === "entities" ? bucket.value.split(":").slice(1).join(":") : bucket.value;
      box.append(el("button", { class: "facet", dataset: { facet: name, value: bucket.value }, onclick: () => {
        state.filters.push([FACET_PARAM[name], bucket.value]);
        runSearch();
      } }, el("span", {}, label), el("span", { class: "count" }, bucket.count)));
    }
  }
}

function renderHistogram(histogram) {
  const box = document.querySelector("#histogram");
  const top = Math.max(1, ...histogram.map((b) => b.count));
  box.replaceChildren(...histogram.map((b) => el("div", { class: "bar", title: `${when(b.date)}: ${b.count}` },
    el("div", { style: { height: `${(100 * b.count) / top}%` } }))));
  const axis = document.querySelector("#histogram-axis");
  axis.replaceChildren();
  if (histogram.length) {
    const hourly = histogram.length > 1 && new Date(histogram[1].date) - new Date(histogram[0].date) <= 3600e3;
    const label = (b) => { const d = new Date(b.date); return hourly ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : d.toLocaleDateString(); };
    axis.append(el("span", {}, label(histogram[0])), el("span", {}, `articles per ${hourly ? "hour" : "day"} · most ${top}`), el("span", {}, label(histogram[histogram.length - 1])));
  }
}

function renderActiveFilters() {
  document.querySelector("#active-filters").replaceChildren(...state.filters.map(([param, value], i) =>
    el("button", { onclick: () => { state.filters.splice(i, 1); runSearch(); } }, `${param}: ${value} ✕`)));
}

// --- article view -----------------------------------------------------------------------------
function fetchArticle(id) {
  return soon(() => api(`/articles/${encodeURIComponent(id)}`));
}

async function openArticle(id) {
  let article;
  try { article = await fetchArticle(id); }
  catch (failure) { alert(`Could not open the article: ${failure.message}`); return; }
  document.querySelector("#article-title").textContent = article.title || article.id;
  document.querySelector("#article-meta").textContent = [article.source, when(article.published_at || article.date), article.url, (article.countries || []).join(", ")].filter(Boolean).join(" · ");
  const copyOf = document.querySelector("#article-copy-of");
  copyOf.hidden = !article.duplicate_of;
  copyOf.replaceChildren(...(article.duplicate_of ? ["A later copy of ", el("a", { href: "#", onclick: (event) => { event.preventDefault(); openArticle(article.duplicate_of); } }, "the first article"), " of this story."] : []));
  const text = article.text || "";
  const marks = [];
  for (const p of article.places || []) marks.push({ start: p.start, end: p.end, cls: "ent place", title: `${p.name} · ${p.country_code || ""} ${p.admin1_name || ""}${p.metonymic ? " · metonymic" : ""}` });
  for (const e of article.entities || []) {
    if (marks.some((m) => m.start < e.end && e.start < m.end)) continue;
    marks.push({ start: e.start, end: e.end, cls: `ent ${["PERSON", "ORG"].includes(e.label) ? e.label : "other"}`, title: `${e.label}: ${e.canonical || e.text}` });
  }
  const sentences = (article.events || []).filter((e) => e.start != null).map((e) => [e.start, e.end]);
  const cuts = new Set([0, text.length]);
  for (const m of marks) { cuts.add(m.start); cuts.add(m.end); }
  for (const [s, e] of sentences) { cuts.add(s); cuts.add(e); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const box = document.querySelector("#article-text");
  box.replaceChildren();
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const mark = marks.find((m) => m.start <= a && b <= m.end);
    const inEvent = sentences.some(([s, e]) => s <= a && b <= e);
    const piece = text.slice(a, b);
    if (!mark && !inEvent) { box.append(piece); continue; }
    const span = el("span", { class: [mark ? mark.cls : "", inEvent ? "event-sentence" : ""].join(" ").trim() }, piece);
    if (mark) span.title = mark.title;
    box.append(span);
  }
  document.querySelector("#article-events").replaceChildren(...(article.events || []).map((e) => el("li", {},
    el("strong", {}, e.type), ` ${[e.actor1, e.actor2].filter(Boolean).join(" vs ")} `,
    e.place && e.place.name ? `at ${e.place.name} ` : "",
    [e.fatalities ? `${e.fatalities} killed` : null, e.injured ? `${e.injured} injured` : null, e.arrested ? `${e.arrested} arrested` : null, e.date, e.background ? "earlier, recalled for context" : null].filter(Boolean).join(" · "))));
  document.querySelector("#article-view").showModal();
}

// --- map --------------------------------------------------------------------------------------
function geoCentreOf(features) {
  const lons = features.map((f) => f.geometry.coordinates[0]);
  const lats = features.map((f) => f.geometry.coordinates[1]);
  return [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
}

// Map markers of one kind close together on screen become one marker sized by how many it holds.
function clusterFeatures(features, projection, cell = 14) {
  const cells = new Map();
  for (const feature of features) {
    const [lon, lat] = feature.geometry.coordinates;
    const point = projection([lon, lat]);
    if (!point) continue;
    const props = feature.properties;
    const key = `${props.kind}:${Math.round(point[0] / cell)}:${Math.round(point[1] / cell)}`;
    const cluster = cells.get(key) || { kind: props.kind, x: 0, y: 0, lat: 0, lon: 0, items: [] };
    cluster.x += point[0]; cluster.y += point[1]; cluster.lat += lat; cluster.lon += lon;
    cluster.items.push(props);
    cells.set(key, cluster);
  }
  return [...cells.values()].map((c) => ({ ...c, x: c.x / c.items.length, y: c.y / c.items.length, lat: c.lat / c.items.length, lon: c.lon / c.items.length }));
}

function showMapArticles(cluster) {
  const byArticle = new Map();
  for (const item of cluster.items) if (!byArticle.has(item.article_id)) byArticle.set(item.article_id, item);
  const names = [...new Set(cluster.items.map((i) => i.name || i.place).filter(Boolean))].slice(0, 6).join(", ");
  document.querySelector("#map-selection").textContent = `${cluster.kind === "event" ? "Events" : "Places"} at ${names || "this spot"}: ${byArticle.size} article(s)`;
  document.querySelector("#map-articles").replaceChildren(...[...byArticle.values()].map((item) => el("li", { class: "card", dataset: { id: item.article_id } },
    el("h3", { onclick: () => openArticle(item.article_id) }, item.title || item.article_id),
    el("div", { class: "meta" }, item.kind === "event" ? `${item.event_type}${item.fatalities ? ` · ${item.fatalities} killed` : ""} at ${item.place || "?"}` : `${item.name} (${item.country_code || "?"})`))));
}

async function drawMap() {
  const world = document.querySelector("#world");
  if (!state.atlas) {
    const atlas = await (await fetch("/vendor/world-atlas/countries-110m.json")).json();
    state.atlas = topojson.feature(atlas, atlas.objects.countries);
  }
  const form = document.querySelector("#map-form");
  const params = new URLSearchParams({ format: "geojson", sort: "time", since: form.since.value, limit: "5000" });
  for (const code of form.country.value.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean)) params.append(code.includes("-") ? "region" : "country", code);
  const collection = await api(`/export/search?${params}`);
  const shown = collection.features.filter((f) => (f.properties.kind === "place" && form.places.checked) || (f.properties.kind === "event" && form.events.checked));
  // the whole world, or, with a country or region asked for, the area its markers cover
  const projection = geoNaturalEarth1();
  const narrowed = form.country.value.trim() && shown.length;
  if (narrowed) {
    projection.fitExtent([[40, 40], [920, 460]], { type: "FeatureCollection", features: shown });
    if (projection.scale() > 4000) {  // one town: still the region around it, centred on it
      projection.scale(4000);
      const [x, y] = projection(geoCentreOf(shown));
      const [tx, ty] = projection.translate();
      projection.translate([tx + 480 - x, ty + 250 - y]);
    }
  } else {
    projection.fitSize([960, 500], { type: "Sphere" });
  }
  const path = geoPath(projection);
  world.querySelector("g.countries")?.remove();
  const layer = svg("g", { class: "countries" });
  for (const feature of state.atlas.features) layer.append(svg("path", { class: "country", d: path(feature) }));
  world.prepend(layer);
  world.querySelector("g.markers")?.remove();
  const markers = svg("g", { class: "markers" });
  const clusters = clusterFeatures(shown, projection).sort((a, b) => b.items.length - a.items.length);
  for (const cluster of clusters) {
    const n = cluster.items.length;
    const r = Math.min(14, 3.5 + Math.sqrt(n - 1) * 1.8);
    const { x, y } = cluster;
    const mark = cluster.kind === "event"
      ? svg("rect", { class: "marker event", x: x - r, y: y - r, width: 2 * r, height: 2 * r, transform: `rotate(45 ${x} ${y})` })
      : svg("circle", { class: "marker place", cx: x, cy: y, r });
    const countries = [...new Set(cluster.items.map((i) => i.country_code).filter(Boolean))];
    const articles = [...new Set(cluster.items.map((i) => i.article_id))];
    Object.assign(mark.dataset, { lat: cluster.lat, lon: cluster.lon, country: countries.join(" "), articles: articles.join(" "), count: n });
    const title = svg("title");
    title.textContent = `${n} ${cluster.kind === "event" ? "event" : "place"} mention(s), ${articles.length} article(s): ${[...new Set(cluster.items.map((i) => i.name || i.place).filter(Boolean))].slice(0, 5).join(", ")}`;
    mark.append(title);
    mark.addEventListener("click", () => showMapArticles(cluster));
    markers.append(mark);
    if (n > 1) {
      const label = svg("text", { class: "count", x, y: y + 3 });
      label.textContent = n;
      markers.append(label);
    }
  }
  world.append(markers);
  const articleCount = new Set(shown.map((f) => f.properties.article_id)).size;
  document.querySelector("#map-info").textContent = `${shown.filter((f) => f.properties.kind === "place").length} place and ${shown.filter((f) => f.properties.kind === "event").length} event mention(s) from ${articleCount} article(s), in ${clusters.length} marker(s)`;
}

// --- rules ------------------------------------------------------------------------------------
const EXAMPLE_RULE = { id: "my-rule", name: "Clashes near al-Hasakah", query: "clash* AND prison", region: { near: { lat: 36.5, lon: 40.75, km: 50 } } };

async function loadRules() {
  const result = await api("/rules");
  const list = document.querySelector("#rule-list");
  list.replaceChildren(...result.data.map((rule) => el("li", { dataset: { id: rule.id }, onclick: () => {
    document.querySelector("#rule-text").value = JSON.stringify(rule, null, 2);
  } }, `${rule.id} · ${rule.name}`)));
  const editor = document.querySelector("#rule-text");
  if (!editor.value) editor.value = JSON.stringify(EXAMPLE_RULE, null, 2);
}

// Exports: fetched with the key in a header (never in a URL), saved from a blob.
async function download(path) {
  const response = await fetch(path, { headers: { "X-API-Key": state.key } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({ detail: response.statusText })));
  const name = (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "newsmon-export";
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function searchParams() {
  const form = document.querySelector("#search-form");
  const params = new URLSearchParams();
  if (form.q.value.trim()) params.set("q", form.q.value.trim());
  if (form.since.value) params.set("since", form.since.value);
  params.set("sort", form.sort.value);
  if (!form.copies.checked) params.set("duplicates", "false");
  for (const [param, value] of state.filters) params.append(param, value);
  return params;
}

// The search on the Search tab as a standing rule: its query and filters, opened in the editor.
function ruleFromSearch() {
  const form = document.querySelector("#search-form");
  const q = form.q.value.trim();
  const rule = { id: "", name: "" };
  if (q) rule.query = q;
  const region = {};
  const lists = { entity: "entities", event_type: "event_types", source: "sources", lang: "lang" };
  for (const [param, value] of state.filters) {
    if (lists[param]) (rule[lists[param]] ??= []).push(value);
    else if (param === "country") (region.countries ??= []).push(value);
    else if (param === "region") (region.admin1 ??= []).push(value);
  }
  if (Object.keys(region).length) rule.region = region;
  const words = [q, ...state.filters.map(([, value]) => value)].filter(Boolean).join(" ");
  rule.name = words ? `Search: ${words}`.slice(0, 200) : "Everything";
  rule.id = (words || "everything").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56) || "search";
  rule.id = `${rule.id}-${Date.now().toString(36).slice(-4)}`.replace(/^-/, "");
  return rule;
}

function searchToRule() {
  const rule = ruleFromSearch();
  showTab("rules");
  document.querySelector("#rule-text").value = JSON.stringify(rule, null, 2);
  document.querySelector("#rule-result").textContent = "From the search: check it, test it on the last 24 hours, then save.";
  document.querySelector("#rule-fired").replaceChildren();
  document.querySelector("#rule-test").click();  // what it would have fired on, at once
}

function ruleFromEditor() {
  const errors = document.querySelector("#rule-errors");
  errors.replaceChildren();
  try {
    return JSON.parse(document.querySelector("#rule-text").value);
  } catch (failure) {
    errors.append(el("li", {}, `not JSON: ${failure.message}`));
    return null;
  }
}

function showRuleErrors(failure) {
  const errors = document.querySelector("#rule-errors");
  const list = (failure.body && failure.body.errors) || [];
  errors.replaceChildren(...(list.length ? list.map((e) => el("li", { class: "rule-error" }, `${e.field}: ${e.message}`)) : [el("li", { class: "rule-error" }, failure.message)]));
}

function setupRuleEditor() {
  const result = document.querySelector("#rule-result");
  document.querySelector("#rule-validate").addEventListener("click", async () => {
    const rule = ruleFromEditor();
    if (!rule) return;
    try { await api("/rules/validate", { method: "POST", body: JSON.stringify(rule) }); result.textContent = "The rule is valid."; }
    catch (failure) { result.textContent = ""; showRuleErrors(failure); }
  });
  document.querySelector("#rule-test").addEventListener("click", async () => {
    const rule = ruleFromEditor();
    if (!rule) return;
    try {
      const test = await api("/rules/test?since=24h", { method: "POST", body: JSON.stringify(rule) });
      result.textContent = `${test.fired.length} of ${test.seen} article(s) of the last 24 hours match.`;
      document.querySelector("#rule-fired").replaceChildren(...test.fired.map((f) => el("li", { class: "card" },
        el("h3", { onclick: () => openArticle(f.article_id) }, f.title || f.article_id),
        f.matched.snippet ? el("p", {}, marked(f.matched.snippet)) : null)));
    } catch (failure) { result.textContent = ""; showRuleErrors(failure); }
  });
  document.querySelector("#rule-save").addEventListener("click", async () => {
    const rule = ruleFromEditor();
    if (!rule) return;
    try { await api(`/rules/${encodeURIComponent(rule.id)}`, { method: "PUT", body: JSON.stringify(rule) }); result.textContent = `Saved ${rule.id}; the workers apply it from the next article.`; setTimeout(loadRules, 1500); }
    catch (failure) { result.textContent = ""; showRuleErrors(failure); }
  });
  document.querySelector("#rule-delete").addEventListener("click", async () => {
    const rule = ruleFromEditor();
    if (!rule || !confirm(`Delete rule ${rule.id}?`)) return;
    try { await api(`/rules/${encodeURIComponent(rule.id)}`, { method: "DELETE" }); result.textContent = `Deleted ${rule.id}.`; setTimeout(loadRules, 1500); }
    catch (failure) { showRuleErrors(failure); }
  });
}

// --- start ------------------------------------------------------------------------------------
for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => showTab(button.dataset.tab));
document.querySelector("#search-form").addEventListener("submit", (event) => { event.preventDefault(); state.filters = state.filters.filter(Boolean); runSearch(); });
document.querySelector("#more").addEventListener("click", () => runSearch(true));
document.querySelector("#search-to-rule").addEventListener("click", searchToRule);
document.querySelector("#map-form").addEventListener("submit", (event) => { event.preventDefault(); drawMap().catch(showError); });
document.querySelector("#map-form").addEventListener("change", () => drawMap().catch(showError));
for (const button of document.querySelectorAll("#search-export button")) {
  button.addEventListener("click", () => { const params = searchParams(); params.set("format", button.dataset.format); download(`/export/search?${params}`).catch(showError); });
}
for (const button of document.querySelectorAll("#alert-export button")) {
  button.addEventListener("click", () => {
    const params = inboxQuery();
    params.delete("size");
    if (inboxState()) params.set("state", inboxState());
    params.set("format", button.dataset.format);
    download(`/export/alerts?${params}`).catch(showError);
  });
}
document.querySelector("#stories-form").addEventListener("submit", (event) => { event.preventDefault(); loadStories(); });
document.querySelector("#stories-form select").addEventListener("change", () => loadStories());
document.querySelector("#alert-state").addEventListener("change", () => loadAlerts().catch(showError));
document.querySelector("#alert-filter").addEventListener("submit", (event) => { event.preventDefault(); loadAlerts().catch(showError); });
setupRuleEditor();
if (loadKey()) {
  startStream();
  loadAlerts().catch(showError);
}
