// uvs live view: draws each virtual service as the course draws it (clients, the director,
// the real servers with their forwarding method) in SVG, from the states that uvsd pushes
// with server-sent events, and animates packets from the counters' changes.
'use strict';

const W = 960;
const CLIENT = { x: 20, w: 150 };
const DIRECTOR = { x: 330, w: 220 };
const RS = { x: 670, w: 280, h: 92, gap: 14, top: 20 };
const METHOD_COLOR = { Masq: '#2f6fde', Route: '#e07b1a', Tunnel: '#8a3fd1', Local: '#7b8190' };
const METHOD_TEXT = {
  Masq: 'Masq (NAT)',
  Route: 'Route (DR)',
  Tunnel: 'Tunnel (IPIP)',
  Local: 'Local',
};
const DOT = { req: '#2f6fde', rep: '#13a3a3', byp: '#1f9d55' };
/** Dots drawn per real server and direction for one state, at most. */
const MAX_DOTS = 6;
const DOT_MS = 1100;

const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const fmt = (n) => (n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1));

/** Geometry of a service's drawing: where each box is and the routes packets take. */
function layout(svc) {
  const n = Math.max(1, svc.realServers.length);
  const height = Math.max(220, RS.top * 2 + n * RS.h + (n - 1) * RS.gap + 40);
  const cy = (height - 40) / 2;
  const client = { x: CLIENT.x, y: cy - 45, w: CLIENT.w, h: 90 };
  const director = { x: DIRECTOR.x, y: cy - 70, w: DIRECTOR.w, h: 140 };
  const servers = svc.realServers.map((rs, i) => {
    const box = { x: RS.x, y: RS.top + i * (RS.h + RS.gap), w: RS.w, h: RS.h };
    const a = [client.x + client.w, cy];
    const b = [director.x, cy];
    const c = [director.x + director.w, cy];
    const d = [box.x, box.y + box.h / 2];
    const bypass = bezier(
      [box.x, box.y + box.h - 14],
      [box.x - 200, height - 6],
      [client.x + client.w + 120, height - 6],
      [client.x + client.w, cy + 30],
    );
    return {
      rs,
      box,
      request: [a, b, c, d],
      reply: [d, c, b, a],
      bypass,
    };
  });
  return { height, cy, client, director, servers };
}

/** A cubic Bézier curve sampled into a polyline. */
function bezier(p0, p1, p2, p3, steps = 32) {
  const pts = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    const k = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
    pts.push([0, 1].map((j) => k[0] * p0[j] + k[1] * p1[j] + k[2] * p2[j] + k[3] * p3[j]));
  }
  return pts;
}

const pathD = (pts) => 'M' + pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' L');

function clientSvg(g, cy) {
  const c = g.client;
  return `<g class="client">
    <rect x="${c.x}" y="${c.y}" width="${c.w}" height="${c.h}" rx="40" fill="#eef1f7" stroke="#b9c0d0"/>
    <text x="${c.x + c.w / 2}" y="${cy - 6}" text-anchor="middle" font-weight="bold">Clients</text>
    <text x="${c.x + c.w / 2}" y="${cy + 14}" text-anchor="middle" class="muted" font-size="12">CIP → VIP</text>
  </g>`;
}

function directorSvg(svc, g) {
  const d = g.director;
  const lines = [
    svc.id,
    `scheduler ${svc.scheduler}${svc.persistence ? `, persistent ${svc.persistence} s` : ''}`,
    `${fmt(svc.cps)} conn/s · ${fmt(svc.inPps)} in / ${fmt(svc.outPps)} out pkt/s`,
  ];
  return `<g class="director">
    <rect x="${d.x}" y="${d.y}" width="${d.w}" height="${d.h}" rx="10" fill="#1d2330"/>
    <text x="${d.x + d.w / 2}" y="${d.y + 28}" text-anchor="middle" font-weight="bold" style="fill:#fff">Director (uvsd)</text>
    ${lines
      .map(
        (l, i) =>
          `<text x="${d.x + d.w / 2}" y="${d.y + 58 + i * 22}" text-anchor="middle" font-size="${i === 0 ? 14 : 12}" style="fill:${i === 0 ? '#ffd479' : '#cfd5e3'}">${esc(l)}</text>`,
      )
      .join('')}
  </g>`;
}

function checkText(rs) {
  if (!rs.check) return { color: '#b9c0d0', text: 'no checker' };
  const what = rs.check.sorry ? 'sorry server' : rs.check.checkers.join(', ') || 'checker';
  if (rs.check.sorry)
    return rs.check.up
      ? { color: '#1f9d55', text: `${what}: serving (${rs.check.reason})` }
      : { color: '#b9c0d0', text: `${what}: standing by` };
  return rs.check.up
    ? { color: '#1f9d55', text: `${what}: UP` }
    : { color: '#d64545', text: `${what}: DOWN${rs.check.reason ? ` (${rs.check.reason})` : ''}` };
}

function serverSvg(s) {
  const { rs, box } = s;
  const color = METHOD_COLOR[rs.method] || '#7b8190';
  const check = checkText(rs);
  const faded = !rs.inTable;
  const state = faded
    ? 'out of the table'
    : rs.weight === 0
      ? 'weight 0: no new connections'
      : `weight ${rs.weight}`;
  return `<g class="rs" data-rs="${esc(`${rs.addr}:${rs.port}`)}" data-method="${esc(rs.method)}" opacity="${faded ? 0.55 : 1}">
    <rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="8" fill="#fff" stroke="${color}" stroke-width="2" ${faded ? 'stroke-dasharray="6 4"' : ''}/>
    <rect x="${box.x}" y="${box.y}" width="8" height="${box.h}" rx="3" fill="${color}"/>
    <text x="${box.x + 18}" y="${box.y + 20}" font-weight="bold">${esc(`${rs.addr}:${rs.port}`)}</text>
    <text x="${box.x + box.w - 10}" y="${box.y + 20}" text-anchor="end" font-size="12" style="fill:${color}" font-weight="bold">${esc(METHOD_TEXT[rs.method] || rs.method)}</text>
    <text x="${box.x + 18}" y="${box.y + 40}" font-size="12">${esc(state)} · active ${rs.activeConns} · inactive ${rs.inactiveConns}</text>
    <text x="${box.x + 18}" y="${box.y + 58}" font-size="12" class="muted">${fmt(rs.cps)} conn/s · ${fmt(rs.inPps)} in / ${fmt(rs.outPps)} out pkt/s · ${rs.conns} conns</text>
    <circle cx="${box.x + 24}" cy="${box.y + 75}" r="5" fill="${check.color}"/>
    <text x="${box.x + 34}" y="${box.y + 79}" font-size="12">${esc(clip(check.text, 36))}<title>${esc(check.text)}</title></text>
  </g>`;
}

function linksSvg(g) {
  const { client, director, cy } = g;
  const parts = [
    `<line x1="${client.x + client.w}" y1="${cy}" x2="${director.x}" y2="${cy}" stroke="#8892a6" stroke-width="3"/>`,
  ];
  for (const s of g.servers) {
    const color = METHOD_COLOR[s.rs.method] || '#7b8190';
    const seg = s.request.slice(2);
    if (s.rs.method === 'Tunnel')
      parts.push(
        `<path d="${pathD(seg)}" stroke="${color}" stroke-opacity="0.25" stroke-width="10" fill="none"/>`,
      );
    parts.push(`<path d="${pathD(seg)}" stroke="${color}" stroke-width="2" fill="none"/>`);
    if (s.rs.method === 'Route' || s.rs.method === 'Tunnel')
      parts.push(
        `<path d="${pathD(s.bypass)}" stroke="#1f9d55" stroke-width="1.5" stroke-dasharray="5 5" fill="none"/>`,
      );
  }
  if (g.servers.some((s) => s.rs.method === 'Route' || s.rs.method === 'Tunnel'))
    parts.push(
      `<text x="${(client.x + client.w + director.x + director.w) / 2}" y="${g.height - 14}" text-anchor="middle" font-size="11" style="fill:#1f9d55">replies go straight back to the client</text>`,
    );
  return parts.join('');
}

/** One service's panel; its SVG has a static group (redrawn) and a dots group (kept). */
function panelFor(svc) {
  const id = `svc-${svc.id.replace(/[^A-Za-z0-9]/g, '-')}`;
  let panel = document.getElementById(id);
  if (!panel) {
    panel = document.createElement('section');
    panel.id = id;
    panel.className = 'service';
    panel.innerHTML = `<h2></h2><svg xmlns="http://www.w3.org/2000/svg"><g class="static"></g><g class="dots"></g></svg>`;
    document.getElementById('services').appendChild(panel);
  }
  return panel;
}

const geometry = new Map();

function drawService(svc) {
  const panel = panelFor(svc);
  const g = layout(svc);
  geometry.set(panel.id, g);
  const count = svc.realServers.length;
  panel.querySelector('h2').innerHTML =
    `${esc(svc.id)}<small>${count} real server${count === 1 ? '' : 's'}</small>`;
  const svg = panel.querySelector('svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${g.height}`);
  svg.querySelector('g.static').innerHTML =
    linksSvg(g) + clientSvg(g, g.cy) + directorSvg(svc, g) + g.servers.map(serverSvg).join('');
  return panel;
}

// Dots: each moves along a polyline over DOT_MS, then disappears.
const dots = [];

function launch(panel, pts, color, delay) {
  const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
  c.setAttribute('r', '5');
  c.setAttribute('fill', color);
  c.setAttribute('opacity', '0');
  panel.querySelector('g.dots').appendChild(c);
  const lens = [0];
  for (let i = 1; i < pts.length; i++)
    lens.push(lens[i - 1] + Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]));
  dots.push({ c, pts, lens, start: performance.now() + delay });
}

function animateDeltas(panel, g) {
  for (const s of g.servers) {
    const d = s.rs.delta;
    const direct = s.rs.method === 'Route' || s.rs.method === 'Tunnel';
    const req = Math.min(d.inPkts, MAX_DOTS);
    for (let i = 0; i < req; i++) launch(panel, s.request, DOT.req, i * 140);
    if (direct) for (let i = 0; i < req; i++) launch(panel, s.bypass, DOT.byp, DOT_MS + i * 140);
    else
      for (let i = 0; i < Math.min(d.outPkts, MAX_DOTS); i++)
        launch(panel, s.reply, DOT.rep, DOT_MS / 2 + i * 140);
  }
}

function frame(now) {
  for (let i = dots.length - 1; i >= 0; i--) {
    const d = dots[i];
    const t = (now - d.start) / DOT_MS;
    if (t < 0) continue;
    if (t >= 1) {
      d.c.remove();
      dots.splice(i, 1);
      continue;
    }
    const total = d.lens[d.lens.length - 1];
    const at = t * total;
    let k = 1;
    while (k < d.lens.length - 1 && d.lens[k] < at) k++;
    const span = d.lens[k] - d.lens[k - 1] || 1;
    const f = (at - d.lens[k - 1]) / span;
    const [x0, y0] = d.pts[k - 1];
    const [x1, y1] = d.pts[k];
    d.c.setAttribute('cx', String(x0 + (x1 - x0) * f));
    d.c.setAttribute('cy', String(y0 + (y1 - y0) * f));
    d.c.setAttribute('opacity', '0.9');
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function drawCounters(counters) {
  const drops = Object.entries(counters)
    .filter(([k]) => k.startsWith('drop.'))
    .reduce((n, [, v]) => n + v, 0);
  const items = [
    ['frames', counters.frames],
    ['forwarded', counters.forwarded],
    ['replied', counters.replied],
    ['dropped', drops],
    ['not ours', counters.not_ours],
    ['connections', counters.connections],
  ];
  document.getElementById('counters').innerHTML = items
    .map(([k, v]) => `<span class="c">${esc(k)} <b>${esc(v ?? 0)}</b></span>`)
    .join('');
}

function render(state) {
  drawCounters(state.counters);
  const keep = new Set();
  for (const svc of state.services) {
    const panel = drawService(svc);
    keep.add(panel.id);
    animateDeltas(panel, geometry.get(panel.id));
  }
  for (const p of document.querySelectorAll('section.service')) if (!keep.has(p.id)) p.remove();
  const empty = document.querySelector('#services .empty');
  if (empty) empty.hidden = state.services.length > 0;
}

function connect() {
  const status = document.getElementById('status');
  const es = new EventSource('/events');
  es.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'status up';
  });
  es.addEventListener('state', (e) => render(JSON.parse(e.data)));
  es.addEventListener('error', () => {
    status.textContent = 'disconnected: retrying…';
    status.className = 'status down';
  });
}
connect();
