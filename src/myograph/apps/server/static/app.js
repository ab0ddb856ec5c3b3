// myograph — the electromyograph page. Plain JavaScript, canvas and WebAudio; no build step.
//
// Data arrive on one websocket: binary frames (28-byte header + float32 µV, see
// docs/server.md) and small JSON text messages (hello, status, ack, error). The page keeps
// a ring buffer per channel, draws the scope on a canvas at up to 30 frames per second,
// plays the selected channel through WebAudio and drives the recorder with JSON commands.
'use strict';

(() => {
  // ------------------------------------------------------------------------------------
  // constants
  // ------------------------------------------------------------------------------------
  const HEADER_BYTES = 28;
  const MAGIC = 0x474f594d; // "MYOG" read as a little-endian uint32
  const FRAME_SAMPLES = 1, FRAME_LEVELS = 2, FRAME_AUDIO = 3;
  const SENSITIVITIES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]; // µV/div
  const TIMEBASES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]; // ms/div
  const N_TIME_DIVS = 10;
  const DIV_PX = 40; // one vertical division, CSS pixels
  const MAX_WINDOW_S = 10; // longest timebase: 1000 ms/div x 10 divisions
  const LABEL_PX = 118, BAR_PX = 74; // left label column and right RMS-bar column, CSS pixels
  const AUDIO_FULL_SCALE_UV = 1000; // 1 mV at volume 1 is full scale
  const METER_WINDOW_S = 0.05; // activity-meter RMS window (low latency)
  const HOOK_N = 16384; // samples kept for the test hook

  const CONTROL_CMDS = ['training_start', 'training_stop', 'control_stop', 'subject', 'control_options'];

  const $ = (id) => document.getElementById(id);
  const dpr = () => window.devicePixelRatio || 1;

  // ------------------------------------------------------------------------------------
  // state
  // ------------------------------------------------------------------------------------
  const S = {
    info: null, ws: null, connected: false,
    fs: 0, step: 1, dispFs: 0, nch: 0,
    groups: [], chGroup: [],
    rings: [], cap: 0, head: 0, headSet: false, // display ring: absolute display index of the next sample
    full: null, fullCap: 0, fullHead: 0, fullSet: false, // full-rate ring of the selected channel
    levels: null, levelsAt: 0,
    selected: 0, mode: 'scroll', frozen: false, pol: 1, // pol -1: negative up (the clinical EMG convention)
    sweeps: [], trig: { searchFrom: 0, pending: null },
    framesReceived: 0, bytesReceived: 0, lastFrame: null,
    recording: null, status: null, presets: [], lineHz: 50,
    meterLevel: 0, dirty: true, lastDraw: 0, autoScaled: false, sampleCountAtAuto: 0,
    lastError: null, acks: [], errors: [],
  };

  // ------------------------------------------------------------------------------------
  // websocket
  // ------------------------------------------------------------------------------------
  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws`);
    ws.binaryType = 'arraybuffer';
    S.ws = ws;
    ws.onopen = () => { S.connected = true; setConn(true); };
    ws.onclose = () => {
      S.connected = false; setConn(false);
      setTimeout(connect, 1500); // the server may be restarting
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') onText(ev.data);
      else onBinary(ev.data);
    };
  }

  function send(obj) {
    if (S.ws && S.ws.readyState === WebSocket.OPEN) S.ws.send(JSON.stringify(obj));
  }

  function setConn(on) {
    const el = $('conn');
    el.textContent = on ? 'live' : 'offline';
    el.className = 'pill ' + (on ? 'on' : 'off');
  }

  function onText(text) {
    let msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.type === 'hello') onHello(msg);
    else if (msg.type === 'status') onStatus(msg);
    else if (msg.type === 'ack') onAck(msg);
    else if (msg.type === 'decision') Control.onDecision(msg);
    else if (msg.type === 'control') Control.onStatus(msg);
    else if (msg.type === 'error') {
      S.lastError = msg; S.errors.push(msg);
      if (CONTROL_CMDS.includes(msg.cmd)) Control.onError(msg);
      else $('rec-info').textContent = 'error: ' + msg.error;
    }
  }

  function decodeFrame(buf) {
    if (buf.byteLength < HEADER_BYTES) return null;
    const dv = new DataView(buf);
    if (dv.getUint32(0, true) !== MAGIC || dv.getUint8(4) !== 1) return null;
    const f = {
      kind: dv.getUint8(5), step: dv.getUint16(6, true),
      first: Number(dv.getBigInt64(8, true)), firstChannel: dv.getUint32(16, true),
      nch: dv.getUint32(20, true), ns: dv.getUint32(24, true),
    };
    if (buf.byteLength !== HEADER_BYTES + 4 * f.nch * f.ns) return null;
    f.data = new Float32Array(buf, HEADER_BYTES, f.nch * f.ns); // little-endian platforms
    return f;
  }

  function onBinary(buf) {
    const f = decodeFrame(buf);
    if (!f || !S.info) return;
    S.framesReceived++;
    S.bytesReceived += buf.byteLength;
    S.lastFrame = { kind: f.kind, first: f.first, nch: f.nch, ns: f.ns, step: f.step };
    if (f.kind === FRAME_SAMPLES) onSamples(f);
    else if (f.kind === FRAME_AUDIO) onFullRate(f.first, f.data.subarray(0, f.ns), f.firstChannel);
    else if (f.kind === FRAME_LEVELS) { S.levels = f.data.slice(); S.levelsAt = f.first; }
  }

  // ------------------------------------------------------------------------------------
  // hello: build the display model from the stream description
  // ------------------------------------------------------------------------------------
  function onHello(msg) {
    const info = msg.info;
    const fresh = !S.info || S.info.fs !== info.fs || S.info.channels.length !== info.channels.length;
    S.info = info; S.fs = info.fs; S.step = info.step; S.dispFs = info.fs / info.step;
    S.nch = info.channels.length; S.lineHz = info.line_hz; S.presets = msg.presets;
    $('source-name').textContent = `${info.name} · ${S.nch} ch · ${fmtHz(info.fs)}` +
      (info.step > 1 ? ` (display ${fmtHz(S.dispFs)})` : '');
    $('line-hz').textContent = `${info.line_hz} Hz`;
    $('excitation-row').hidden = !msg.controls.excitation;
    if (fresh) buildModel(info);
    const sel = $('preset');
    sel.innerHTML = '';
    for (const p of msg.presets) sel.add(new Option(p.label, p.name));
    // the page starts with its own choice: surface sources surface-filtered, needle sources needle
    const def = info.fs > 5000 ? 'needle' : 'surface';
    sel.value = S.filterPreset || def;
    sendFilter();
    send({ cmd: 'audio', channel: S.selected });
    if (msg.recording) onStatus({ recording: msg.recording });
    Control.onHello(msg.control);
  }

  function buildModel(info) {
    // channel groups: the channel table's group, else its type
    const names = [];
    S.chGroup = new Array(S.nch);
    info.channels.forEach((c, i) => {
      const g = c.group || c.type || 'EMG';
      let k = names.indexOf(g);
      if (k < 0) { names.push(g); k = names.length - 1; }
      S.chGroup[i] = k;
    });
    const defTb = S.fs > 5000 ? 10 : 100;
    S.groups = names.map((name, k) => ({
      name, channels: S.chGroup.map((g, i) => (g === k ? i : -1)).filter((i) => i >= 0),
      sens: 100, timebase: defTb,
    }));
    S.cap = Math.ceil(MAX_WINDOW_S * S.dispFs) + 1;
    S.rings = info.channels.map(() => new Float32Array(S.cap).fill(NaN));
    S.headSet = false; S.head = 0;
    S.fullCap = Math.ceil(2 * S.fs);
    S.full = new Float32Array(S.fullCap).fill(NaN);
    S.fullSet = false; S.fullHead = 0;
    S.levels = new Float32Array(S.nch);
    S.autoScaled = false;
    S.sweeps = []; S.trig = { searchFrom: 0, pending: null };
    buildGroupControls();
    const ac = $('audio-channel');
    ac.innerHTML = '';
    info.channels.forEach((c, i) => ac.add(new Option(chLabel(c, i), String(i))));
    S.selected = Math.min(S.selected, S.nch - 1);
    ac.value = String(S.selected);
  }

  function buildGroupControls() {
    const box = $('groups');
    box.innerHTML = '';
    S.groups.forEach((g, k) => {
      const d = document.createElement('div');
      d.className = 'group-ctl';
      d.innerHTML = `<span class="gname"></span>
        <label>µV/div <select class="sens" data-group="${k}"></select></label>
        <label>ms/div <select class="tb" data-group="${k}"></select></label>`;
      d.querySelector('.gname').textContent = `${g.name} (${g.channels.length})`;
      const s = d.querySelector('.sens'), t = d.querySelector('.tb');
      s.id = `sens-${k}`; t.id = `timebase-${k}`;
      for (const v of SENSITIVITIES) s.add(new Option(String(v), String(v)));
      for (const v of TIMEBASES) t.add(new Option(String(v), String(v)));
      s.value = String(g.sens); t.value = String(g.timebase);
      s.onchange = () => { g.sens = Number(s.value); S.autoScaled = true; S.dirty = true; };
      t.onchange = () => { g.timebase = Number(t.value); S.sweeps = []; S.dirty = true; };
      box.appendChild(d);
    });
  }

  function chLabel(c, i) {
    const m = [c.muscle, c.side].filter(Boolean).join(' ');
    return m ? `${c.name} · ${m}` : c.name || `ch${i}`;
  }

  function fmtHz(v) {
    if (v < 1000) return `${v} Hz`;
    let t = (v / 1000).toFixed(3);
    t = t.replace(/0+$/, '').replace(/\.$/, '');
    return `${t} kHz`;
  }

  // ------------------------------------------------------------------------------------
  // samples
  // ------------------------------------------------------------------------------------
  function onSamples(f) {
    const idx0 = Math.round(f.first / f.step);
    if (!S.headSet || idx0 < S.head - S.cap || idx0 > S.head + S.cap) {
      // first frame, or a jump too large to bridge: restart the rings
      for (const r of S.rings) r.fill(NaN);
      S.head = idx0; S.headSet = true;
      S.trig.searchFrom = idx0; S.trig.pending = null;
    }
    if (idx0 > S.head) { // a gap: mark it blank
      for (let a = S.head; a < idx0; a++) for (const r of S.rings) r[a % S.cap] = NaN;
    }
    const ns = f.ns, cap = S.cap;
    for (let c = 0; c < f.nch && c < S.nch; c++) {
      const ring = S.rings[f.firstChannel + c];
      const src = f.data.subarray(c * ns, (c + 1) * ns);
      let p = idx0 % cap;
      if (p + ns <= cap) ring.set(src, p);
      else { const k = cap - p; ring.set(src.subarray(0, k), p); ring.set(src.subarray(k), 0); }
    }
    S.head = Math.max(S.head, idx0 + ns);
    if (f.step === 1) {
      const c = S.selected;
      onFullRate(f.first, f.data.subarray(c * ns, (c + 1) * ns), c);
    }
    if (!S.frozen) S.dirty = true;
    if (S.mode === 'sweep' && !S.frozen) scanTrigger();
    if (!S.autoScaled && S.head - S.sampleCountAtAuto > S.dispFs * 0.8) { autoScale(); }
  }

  // full-rate samples of the selected channel: activity meter and audio monitor
  function onFullRate(first, x, channel) {
    if (channel !== S.selected) return;
    if (!S.fullSet || first !== S.fullHead) { S.fullHead = first; S.fullSet = true; }
    const cap = S.fullCap;
    for (let i = 0; i < x.length; i++) S.full[(first + i) % cap] = x[i];
    S.fullHead = first + x.length;
    updateMeter();
    Audio_.feed(first, x, channel);
  }

  function ringGet(ch, idx) { return S.rings[ch][((idx % S.cap) + S.cap) % S.cap]; }

  // ------------------------------------------------------------------------------------
  // scope drawing
  // ------------------------------------------------------------------------------------
  const scope = $('scope');
  const sctx = scope.getContext('2d');

  function resizeCanvas(cv) {
    const r = cv.getBoundingClientRect();
    const w = Math.max(1, Math.round(r.width * dpr())), h = Math.max(1, Math.round(r.height * dpr()));
    if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; return true; }
    return false;
  }

  const TRACE_COLORS = ['#37d67a', '#f7e463', '#5ab4ff', '#ff8c5a', '#d78cff', '#7ef0e8'];

  function drawScope() {
    resizeCanvas(scope);
    const W = scope.width, H = scope.height, k = dpr();
    sctx.fillStyle = '#000';
    sctx.fillRect(0, 0, W, H);
    if (!S.info || !S.headSet) {
      sctx.fillStyle = '#7f8ea3'; sctx.font = `${14 * k}px system-ui`;
      sctx.fillText(S.connected ? 'waiting for samples…' : 'connecting…', 20 * k, 30 * k);
      return;
    }
    if (S.mode === 'sweep') { drawSweeps(W, H, k); return; }
    // panels: height proportional to channel count (at least 3 lanes' worth)
    const weights = S.groups.map((g) => Math.max(3, g.channels.length));
    const total = weights.reduce((a, b) => a + b, 0);
    let y = 0;
    S.groups.forEach((g, gi) => {
      const h = Math.floor((H * weights[gi]) / total);
      drawPanel(g, gi, 0, y, W, h, k);
      y += h;
    });
  }

  function drawPanel(g, gi, x0, y0, W, H, k) {
    const left = LABEL_PX * k, right = BAR_PX * k;
    const tw = W - left - right; // trace width
    const nLanes = g.channels.length;
    const lane = H / nLanes;
    sctx.save();
    sctx.beginPath(); sctx.rect(x0, y0, W, H); sctx.clip();
    // grid: 10 time divisions, vertical divisions of DIV_PX
    sctx.strokeStyle = '#16202c'; sctx.lineWidth = 1;
    sctx.beginPath();
    for (let d = 0; d <= N_TIME_DIVS; d++) {
      const x = Math.round(left + (d * tw) / N_TIME_DIVS) + 0.5;
      sctx.moveTo(x, y0); sctx.lineTo(x, y0 + H);
    }
    for (let yy = y0 + DIV_PX * k; yy < y0 + H; yy += DIV_PX * k) {
      sctx.moveTo(left, Math.round(yy) + 0.5); sctx.lineTo(left + tw, Math.round(yy) + 0.5);
    }
    sctx.stroke();
    sctx.strokeStyle = '#2a3a4f';
    sctx.beginPath(); sctx.moveTo(x0, y0 + 0.5); sctx.lineTo(x0 + W, y0 + 0.5); sctx.stroke();

    const uvPerPx = (g.sens / (DIV_PX * k)) * S.pol; // signed: negative up flips the trace
    const nWin = Math.max(2, Math.round((g.timebase * N_TIME_DIVS * S.dispFs) / 1000));
    const end = S.head; // exclusive
    const start = end - nWin;
    const color = TRACE_COLORS[gi % TRACE_COLORS.length];
    const fontPx = Math.max(9, Math.min(13, lane / k - 1)) * k;
    sctx.font = `${fontPx}px system-ui`;
    g.channels.forEach((ch, li) => {
      const base = y0 + lane * (li + 0.5);
      // baseline
      sctx.strokeStyle = '#0f1720';
      sctx.beginPath(); sctx.moveTo(left, Math.round(base) + 0.5); sctx.lineTo(left + tw, Math.round(base) + 0.5); sctx.stroke();
      // trace
      sctx.strokeStyle = ch === S.selected ? '#ffffff' : color;
      sctx.lineWidth = Math.max(1, k * (ch === S.selected ? 1.3 : 1));
      traceMinMax(ch, start, nWin, left, tw, base, uvPerPx);
      // label
      if (lane / k >= 8 || li % Math.ceil(8 / (lane / k)) === 0) {
        const c = S.info.channels[ch];
        sctx.fillStyle = ch === S.selected ? '#ffffff' : '#a9b7c8';
        sctx.fillText(chLabel(c, ch), 4 * k, base + fontPx * 0.35, left - 8 * k);
      }
      // RMS bar (log scale 1 µV – 10 mV)
      const v = S.levels ? S.levels[ch] : 0;
      const frac = Math.max(0, Math.min(1, Math.log10(Math.max(v, 1)) / 4));
      const bh = Math.max(1, Math.min(lane * 0.7, 10 * k));
      sctx.fillStyle = '#1b2430';
      sctx.fillRect(W - right + 4 * k, base - bh / 2, right - 8 * k, bh);
      sctx.fillStyle = v >= thresholdUv() ? '#ffb020' : '#37d67a'; // above the activity-meter threshold
      sctx.fillRect(W - right + 4 * k, base - bh / 2, (right - 8 * k) * frac, bh);
      if (lane / k >= 14) {
        sctx.fillStyle = '#d8e1ea'; sctx.font = `${10 * k}px system-ui`;
        sctx.fillText(fmtUv(v), W - right + 6 * k, base - bh / 2 - 2 * k);
        sctx.font = `${fontPx}px system-ui`;
      }
    });
    // scale legend
    sctx.fillStyle = '#7f8ea3'; sctx.font = `${11 * k}px system-ui`;
    sctx.fillText(`${g.name}: ${g.sens} µV/div · ${g.timebase} ms/div`, left + 6 * k, y0 + 13 * k);
    sctx.restore();
  }

  // min/max per pixel column: every sample shows, however long the window
  function traceMinMax(ch, start, n, left, tw, base, uvPerPx) {
    const ring = S.rings[ch], cap = S.cap;
    const cols = Math.max(1, Math.floor(tw));
    sctx.beginPath();
    let pen = false;
    if (n <= cols) {
      for (let i = 0; i < n; i++) {
        const v = ring[(((start + i) % cap) + cap) % cap];
        if (v !== v) { pen = false; continue; }
        const x = left + (i * tw) / (n - 1), y = base - v / uvPerPx;
        if (pen) sctx.lineTo(x, y); else { sctx.moveTo(x, y); pen = true; }
      }
    } else {
      const per = n / cols;
      for (let c = 0; c < cols; c++) {
        const a = start + Math.floor(c * per), b = start + Math.floor((c + 1) * per);
        let lo = Infinity, hi = -Infinity;
        for (let i = a; i < b; i++) {
          const v = ring[((i % cap) + cap) % cap];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (lo === Infinity) { pen = false; continue; }
        const x = left + c + 0.5;
        if (pen) sctx.lineTo(x, base - hi / uvPerPx); else { sctx.moveTo(x, base - hi / uvPerPx); pen = true; }
        sctx.lineTo(x, base - lo / uvPerPx);
      }
    }
    sctx.stroke();
  }

  function fmtUv(v) {
    if (!(v >= 0)) return '—';
    if (v >= 1000) return `${(v / 1000).toFixed(2)} mV`;
    return `${v.toFixed(v < 10 ? 1 : 0)} µV`;
  }

  function autoScale() {
    S.sampleCountAtAuto = S.head;
    const Hcss = scope.getBoundingClientRect().height || 480;
    const weights = S.groups.map((g) => Math.max(3, g.channels.length));
    const total = weights.reduce((a, b) => a + b, 0);
    S.groups.forEach((g, gi) => {
      const lane = (Hcss * weights[gi]) / total / g.channels.length;
      const amp = g.channels.map((ch) => channelPeak(ch, Math.round(S.dispFs))).filter((v) => v > 0).sort((a, b) => a - b);
      if (!amp.length) return;
      const med = amp[Math.floor(amp.length / 2)];
      // the channel's 99th-percentile |amplitude| (MUAP peaks, not just the noise) should span at most
      // about half a lane either side, and at most 2 divisions (traces may overlap a little, as on paper)
      const span = Math.min(Math.max(lane * 0.45, 2), 2 * DIV_PX);
      const want = (med / span) * DIV_PX;
      g.sens = SENSITIVITIES.find((s) => s >= want) || SENSITIVITIES[SENSITIVITIES.length - 1];
      const sel = $(`sens-${gi}`);
      if (sel) sel.value = String(g.sens);
    });
    S.autoScaled = true;
    S.dirty = true;
  }

  function channelPeak(ch, n) {
    const v = [];
    for (let i = S.head - n; i < S.head; i++) { const x = ringGet(ch, i); if (x === x) v.push(Math.abs(x)); }
    if (!v.length) return 0;
    v.sort((a, b) => a - b);
    return v[Math.floor(0.99 * (v.length - 1))];
  }

  // ------------------------------------------------------------------------------------
  // sweep / trigger mode: successive sweeps of the selected channel frozen on a trigger
  // ------------------------------------------------------------------------------------
  function sweepGeometry() {
    const g = S.groups[S.chGroup[S.selected]];
    const len = Math.max(2, Math.round((g.timebase * N_TIME_DIVS * S.dispFs) / 1000));
    const pre = Math.min(len - 1, Math.max(0, Math.round((Number($('trig-pre').value) || 0) * S.dispFs / 1000)));
    return { g, len, pre };
  }

  function scanTrigger() {
    const { len, pre } = sweepGeometry();
    const level = Number($('trig-level').value) || 0;
    const rising = $('trig-slope').value === 'rising';
    const ch = S.selected;
    const T = S.trig;
    if (T.pending === null) {
      let i = Math.max(T.searchFrom, S.head - S.cap + 1, S.head - 4 * S.dispFs);
      i = Math.max(i, 1 + (S.head - S.cap + 1));
      for (; i < S.head; i++) {
        const a = ringGet(ch, i - 1), b = ringGet(ch, i);
        if (rising ? (a < level && b >= level) : (a > level && b <= level)) { T.pending = i; break; }
      }
      if (T.pending === null) T.searchFrom = S.head;
    }
    if (T.pending !== null && S.head >= T.pending - pre + len) {
      const s0 = T.pending - pre;
      const sw = new Float32Array(len);
      for (let j = 0; j < len; j++) sw[j] = ringGet(ch, s0 + j);
      const count = Number($('sweep-count').value) || 10;
      S.sweeps.unshift({ data: sw, at: T.pending, channel: ch });
      if (S.sweeps.length > count) S.sweeps.length = count;
      T.searchFrom = s0 + len; // hold-off until the sweep has ended
      T.pending = null;
      $('sweep-info').textContent = `${S.sweeps.length} sweep(s) · last at ${(T.searchFrom / S.dispFs).toFixed(2)} s`;
      S.dirty = true;
    }
  }

  function drawSweeps(W, H, k) {
    const { g, len, pre } = sweepGeometry();
    const left = LABEL_PX * k, right = BAR_PX * k, tw = W - left - right;
    const uvPerPx = (g.sens / (DIV_PX * k)) * S.pol; // signed: negative up flips the trace
    const layout = $('sweep-layout').value;
    const count = Number($('sweep-count').value) || 10;
    // grid
    sctx.strokeStyle = '#16202c'; sctx.lineWidth = 1;
    sctx.beginPath();
    for (let d = 0; d <= N_TIME_DIVS; d++) {
      const x = Math.round(left + (d * tw) / N_TIME_DIVS) + 0.5;
      sctx.moveTo(x, 0); sctx.lineTo(x, H);
    }
    for (let yy = DIV_PX * k; yy < H; yy += DIV_PX * k) { sctx.moveTo(left, yy + 0.5); sctx.lineTo(left + tw, yy + 0.5); }
    sctx.stroke();
    // trigger position
    const xt = left + (pre / (len - 1)) * tw;
    sctx.setLineDash([4 * k, 4 * k]); sctx.strokeStyle = '#ffb020';
    sctx.beginPath(); sctx.moveTo(xt, 0); sctx.lineTo(xt, H); sctx.stroke(); sctx.setLineDash([]);
    const rows = layout === 'stacked' ? count : 1;
    const rowH = H / rows;
    S.sweeps.forEach((sw, i) => {
      const base = layout === 'stacked' ? rowH * (i + 0.5) : H / 2;
      const alpha = layout === 'stacked' ? 1 : Math.max(0.15, 1 - i / S.sweeps.length);
      sctx.strokeStyle = i === 0 ? `rgba(255,255,255,${alpha})` : `rgba(55,214,122,${alpha})`;
      sctx.lineWidth = k;
      sctx.beginPath();
      const n = sw.data.length;
      const per = n / tw;
      if (per <= 1) {
        let pen = false;
        for (let j = 0; j < n; j++) {
          const v = sw.data[j];
          if (v !== v) { pen = false; continue; }
          const x = left + (j * tw) / (n - 1), y = base - v / uvPerPx;
          if (pen) sctx.lineTo(x, y); else { sctx.moveTo(x, y); pen = true; }
        }
      } else {
        for (let c = 0; c < tw; c++) {
          let lo = Infinity, hi = -Infinity;
          for (let j = Math.floor(c * per); j < Math.floor((c + 1) * per); j++) { const v = sw.data[j]; if (v < lo) lo = v; if (v > hi) hi = v; }
          if (lo === Infinity) continue;
          if (c === 0) sctx.moveTo(left + c, base - hi / uvPerPx); else sctx.lineTo(left + c, base - hi / uvPerPx);
          sctx.lineTo(left + c, base - lo / uvPerPx);
        }
      }
      sctx.stroke();
      if (layout === 'stacked') {
        sctx.fillStyle = '#7f8ea3'; sctx.font = `${10 * k}px system-ui`;
        sctx.fillText(`#${i + 1}`, 4 * k, base + 3 * k);
      }
    });
    // trigger level tick (superimposed layout: on the trace axis)
    const level = Number($('trig-level').value) || 0;
    if (layout !== 'stacked') {
      const yl = H / 2 - level / uvPerPx;
      sctx.strokeStyle = '#ffb020';
      sctx.beginPath(); sctx.moveTo(left - 10 * k, yl); sctx.lineTo(left, yl); sctx.stroke();
    }
    const c = S.info.channels[S.selected];
    sctx.fillStyle = '#a9b7c8'; sctx.font = `${12 * k}px system-ui`;
    sctx.fillText(`sweep: ${chLabel(c, S.selected)} · trigger ${level} µV ${$('trig-slope').value} · ` +
      `${g.sens} µV/div · ${g.timebase} ms/div · ${S.sweeps.length} sweep(s)`, left + 6 * k, 14 * k);
    if (!S.sweeps.length) {
      sctx.fillText('waiting for a trigger…', left + 6 * k, 32 * k);
    }
  }

  // ------------------------------------------------------------------------------------
  // activity meter (injection guidance)
  // ------------------------------------------------------------------------------------
  const meter = $('meter');
  const mctx = meter.getContext('2d');

  function thresholdUv() { return Math.pow(10, Number($('threshold').value)); }

  function updateMeter() {
    const n = Math.min(S.fullCap, Math.max(1, Math.round(METER_WINDOW_S * S.fs)));
    let s = 0, m = 0;
    for (let i = S.fullHead - n; i < S.fullHead; i++) {
      const v = S.full[((i % S.fullCap) + S.fullCap) % S.fullCap];
      if (v === v) { s += v * v; m++; }
    }
    S.meterLevel = m ? Math.sqrt(s / m) : 0;
    Audio_.tone(S.meterLevel, thresholdUv());
    drawMeter();
  }

  function drawMeter() {
    resizeCanvas(meter);
    const W = meter.width, H = meter.height, k = dpr();
    const v = S.meterLevel, th = thresholdUv();
    const frac = (x) => Math.max(0, Math.min(1, Math.log10(Math.max(x, 1)) / 4)); // 1 µV – 10 mV
    mctx.fillStyle = '#000'; mctx.fillRect(0, 0, W, H);
    const above = v >= th;
    mctx.fillStyle = above ? '#ff4d4f' : '#37d67a';
    const bh = frac(v) * H;
    mctx.fillRect(W * 0.25, H - bh, W * 0.5, bh);
    // scale
    mctx.fillStyle = '#7f8ea3'; mctx.font = `${10 * k}px system-ui`;
    for (const d of [1, 10, 100, 1000, 10000]) {
      const y = H - frac(d) * H;
      mctx.fillRect(0, y, W * 0.2, 1);
      mctx.fillText(d >= 1000 ? `${d / 1000}mV` : `${d}`, 2, Math.max(10 * k, y - 2));
    }
    // threshold
    const yt = H - frac(th) * H;
    mctx.fillStyle = '#ffb020'; mctx.fillRect(W * 0.2, yt - k, W * 0.8, 2 * k);
    $('meter-value').textContent = v >= 1000 ? (v / 1000).toFixed(2) + ' m' : v.toFixed(v < 10 ? 1 : 0);
    $('meter-value').style.color = above ? '#ff4d4f' : '';
  }

  // ------------------------------------------------------------------------------------
  // audio monitor: the selected channel, resampled to the audio context's rate
  // ------------------------------------------------------------------------------------
  const WORKLET_SRC = `
  class MyographFeed extends AudioWorkletProcessor {
    constructor() {
      super();
      this.q = []; this.off = 0; this.queued = 0; this.playing = false;
      this.prebuffer = Math.round(sampleRate * 0.06);
      this.maxQueued = Math.round(sampleRate * 0.25);
      this.port.onmessage = (e) => {
        const a = e.data;
        if (a === 'flush') { this.q = []; this.off = 0; this.queued = 0; this.playing = false; return; }
        this.q.push(a); this.queued += a.length;
        while (this.queued > this.maxQueued && this.q.length > 1) { // keep latency low: drop the oldest
          const d = this.q.shift(); this.queued -= d.length - this.off; this.off = 0;
        }
      };
    }
    process(inputs, outputs) {
      const out = outputs[0][0];
      let i = 0;
      if (!this.playing && this.queued >= this.prebuffer) this.playing = true;
      while (this.playing && i < out.length && this.q.length) {
        const h = this.q[0];
        const n = Math.min(out.length - i, h.length - this.off);
        out.set(h.subarray(this.off, this.off + n), i);
        i += n; this.off += n; this.queued -= n;
        if (this.off >= h.length) { this.q.shift(); this.off = 0; }
      }
      if (i < out.length) this.playing = false; // underrun: refill before playing again
      for (; i < out.length; i++) out[i] = 0;
      return true;
    }
  }
  registerProcessor('myograph-feed', MyographFeed);`;

  const Audio_ = {
    ctx: null, node: null, filter: null, gain: null, osc: null, toneGain: null,
    on: false, kind: '', fsOut: 0,
    // resampler state
    base: 0, m: 0, next: 0, prev: NaN, channel: -1,
    // test hook: last HOOK_N input samples (µV) and output samples with their input positions
    hook: null,

    async start() {
      if (!this.ctx) {
        this.ctx = new (window.AudioContext || window.webkitAudioContext)({ latencyHint: 'interactive' });
        this.fsOut = this.ctx.sampleRate;
        this.filter = this.ctx.createBiquadFilter();
        this.gain = this.ctx.createGain();
        this.filter.connect(this.gain).connect(this.ctx.destination);
        this.applyFilter(); this.applyVolume();
        if (this.ctx.audioWorklet && window.isSecureContext) {
          const url = URL.createObjectURL(new Blob([WORKLET_SRC], { type: 'application/javascript' }));
          await this.ctx.audioWorklet.addModule(url);
          this.node = new AudioWorkletNode(this.ctx, 'myograph-feed', { numberOfInputs: 0, outputChannelCount: [1] });
          this.kind = 'AudioWorklet';
        } else {
          this.node = this.scriptProcessor();
          this.kind = 'ScriptProcessor';
        }
        this.applyFilter();
        this.toneGain = this.ctx.createGain(); this.toneGain.gain.value = 0;
        this.osc = this.ctx.createOscillator(); this.osc.type = 'sine';
        this.osc.frequency.value = Number($('tone-hz').value) || 880;
        this.osc.connect(this.toneGain).connect(this.ctx.destination);
        this.osc.start();
      }
      await this.ctx.resume();
      this.on = true;
      this.reset();
    },

    stop() { this.on = false; if (this.ctx) this.ctx.suspend(); },

    scriptProcessor() {
      const sp = this.ctx.createScriptProcessor(1024, 0, 1);
      const st = { q: [], off: 0, queued: 0, playing: false, prebuffer: Math.round(this.fsOut * 0.06), max: Math.round(this.fsOut * 0.25) };
      sp.port = { postMessage: (a) => {
        if (a === 'flush') { st.q = []; st.off = 0; st.queued = 0; st.playing = false; return; }
        st.q.push(a); st.queued += a.length;
        while (st.queued > st.max && st.q.length > 1) { const d = st.q.shift(); st.queued -= d.length - st.off; st.off = 0; }
      } };
      sp.onaudioprocess = (e) => {
        const out = e.outputBuffer.getChannelData(0);
        let i = 0;
        if (!st.playing && st.queued >= st.prebuffer) st.playing = true;
        while (st.playing && i < out.length && st.q.length) {
          const h = st.q[0], n = Math.min(out.length - i, h.length - st.off);
          out.set(h.subarray(st.off, st.off + n), i); i += n; st.off += n; st.queued -= n;
          if (st.off >= h.length) { st.q.shift(); st.off = 0; }
        }
        if (i < out.length) st.playing = false;
        for (; i < out.length; i++) out[i] = 0;
      };
      return sp;
    },

    reset() {
      this.prev = NaN; this.channel = -1;
      this.hook = { channel: S.selected, fsIn: S.fs, fsOut: this.fsOut, input: new Float32Array(HOOK_N), inputFirst: 0,
        inputCount: 0, output: new Float32Array(HOOK_N), positions: new Float64Array(HOOK_N), outputCount: 0 };
      if (this.node) this.node.port.postMessage('flush');
    },

    applyVolume() { if (this.gain) this.gain.gain.value = Number($('volume').value); },

    // the live graph: node -> [biquad] -> gain -> speakers; "off" bypasses the biquad altogether
    applyFilter(f = this.filter, kind = $('audio-filter').value) {
      if (!f) return;
      if (f === this.filter && this.node) {
        this.node.disconnect();
        this.node.connect(kind === 'off' ? this.gain : this.filter);
      }
      const nyq = (this.fsOut || 48000) / 2;
      if (kind === 'hp100') { f.type = 'highpass'; f.frequency.value = 100; f.Q.value = 0.707; }
      else if (kind === 'lp') { f.type = 'lowpass'; f.frequency.value = Math.min(2000, nyq * 0.9); f.Q.value = 0.707; }
      else if (kind === 'bp') { f.type = 'bandpass'; f.frequency.value = Math.sqrt(100 * 5000); f.Q.value = Math.sqrt(100 * 5000) / 4900; }
    },

    // linear interpolation from S.fs to the context rate, carried across frames
    feed(first, x, channel) {
      if (!this.on || !this.node || !x.length) return;
      const h = this.hook;
      if (channel !== this.channel || first !== this.next || this.prev !== this.prev) {
        this.base = first; this.m = 0; this.prev = NaN; this.channel = channel;
        h.channel = channel; h.inputCount = 0; h.outputCount = 0; h.inputFirst = first;
      }
      const ratio = S.fs / this.fsOut; // input samples per output sample
      const end = first + x.length - 1; // last input index available
      const out = [];
      const scale = 1 / AUDIO_FULL_SCALE_UV;
      for (;;) {
        const pos = this.base + this.m * ratio;
        if (pos > end) break;
        const i = Math.floor(pos), frac = pos - i;
        const a = i < first ? this.prev : x[i - first];
        const b = i + 1 > end ? a : (i + 1 < first ? this.prev : x[i + 1 - first]);
        if (i + 1 > end && frac > 0) break; // need the next sample
        const v = a + (b - a) * frac;
        out.push(v * scale);
        this.recordOut(v * scale, pos);
        this.m++;
      }
      for (let i = 0; i < x.length; i++) this.recordIn(x[i]);
      this.prev = x[x.length - 1];
      this.next = first + x.length;
      if (out.length) {
        const buf = Float32Array.from(out);
        this.node.port.postMessage(buf);
      }
    },

    recordIn(v) {
      const h = this.hook;
      if (h.inputCount >= HOOK_N) { h.input.copyWithin(0, HOOK_N / 2); h.inputCount = HOOK_N / 2; h.inputFirst += HOOK_N / 2; }
      h.input[h.inputCount++] = v;
    },

    recordOut(v, pos) {
      const h = this.hook;
      if (h.outputCount >= HOOK_N) { h.output.copyWithin(0, HOOK_N / 2); h.positions.copyWithin(0, HOOK_N / 2); h.outputCount = HOOK_N / 2; }
      h.output[h.outputCount] = v; h.positions[h.outputCount] = pos; h.outputCount++;
    },

    tone(level, threshold) {
      if (!this.ctx || !this.toneGain) return;
      const want = $('tone').checked && level >= threshold;
      const t = this.ctx.currentTime;
      const f = (Number($('tone-hz').value) || 880) * Math.min(2, Math.sqrt(Math.max(level, 1) / Math.max(threshold, 1)));
      this.osc.frequency.setTargetAtTime(f, t, 0.01);
      this.toneGain.gain.setTargetAtTime(want ? 0.15 * Math.min(1, Number($('volume').value)) : 0, t, 0.005);
      S.toneOn = want;
    },

    // render the last n fed samples through the page's filter and volume offline (test hook)
    async renderOffline(n) {
      const h = this.hook;
      n = Math.min(n || 4096, h.outputCount);
      const rate = this.fsOut || 48000;
      const off = new OfflineAudioContext(1, n, rate);
      const buf = off.createBuffer(1, n, rate);
      const src = h.output.slice(h.outputCount - n, h.outputCount);
      buf.copyToChannel(src, 0);
      const node = off.createBufferSource(); node.buffer = buf;
      const f = off.createBiquadFilter(); this.applyFilter(f);
      const g = off.createGain(); g.gain.value = Number($('volume').value);
      if ($('audio-filter').value === 'off') node.connect(g); else node.connect(f).connect(g);
      g.connect(off.destination);
      node.start();
      const rendered = await off.startRendering();
      return { fed: Array.from(src), rendered: Array.from(rendered.getChannelData(0)), volume: g.gain.value, rate };
    },
  };

  // ------------------------------------------------------------------------------------
  // controls
  // ------------------------------------------------------------------------------------
  function sendFilter() {
    S.filterPreset = $('preset').value;
    send({ cmd: 'filter', preset: $('preset').value, notch: $('notch').checked });
  }

  function selectChannel(ch) {
    S.selected = ch;
    $('audio-channel').value = String(ch);
    send({ cmd: 'audio', channel: ch });
    S.fullSet = false; S.full.fill(NaN);
    S.sweeps = []; S.trig = { searchFrom: S.head, pending: null };
    if (Audio_.on) Audio_.reset();
    S.dirty = true;
  }

  function onAck(msg) {
    S.acks.push(msg);
    if (msg.cmd === 'filter') $('filter-desc').textContent = msg.filter;
    if (msg.cmd === 'record' || msg.cmd === 'stop' || msg.cmd === 'marker') {
      if (msg.recording !== undefined) onStatus({ recording: msg.recording });
      if (msg.cmd === 'stop') {
        loadRecordings();
        const f = msg.file;
        $('rec-info').textContent = `saved ${f.name}: ${f.duration_s.toFixed(1)} s, ${f.markers} marker(s)`;
      }
      if (msg.cmd === 'marker') $('rec-info').textContent = `marker “${msg.label}” at ${msg.onset_s.toFixed(2)} s`;
    }
  }

  function onStatus(msg) {
    if ('recording' in msg) {
      S.recording = msg.recording;
      const r = msg.recording;
      $('rec-state').hidden = !r;
      $('record').disabled = !!r;
      $('stop').disabled = !r; $('marker').disabled = !r;
      if (r) $('rec-state').textContent = `REC ${r.name} ${r.duration_s.toFixed(1)} s`;
      if (r) $('rec-info').textContent = `${r.name}: ${r.duration_s.toFixed(1)} s, ${r.markers} marker(s)`;
    }
    if (msg.source_error) {
      const el = $('conn');
      el.textContent = 'source failed'; el.className = 'pill off'; el.title = msg.source_error;
    }
    if (msg.control) Control.onStatus(msg.control);
    if (msg.stream) {
      S.status = msg.stream;
      const st = msg.stream;
      $('stats').textContent = `${st.frames_sent} frames · dropped ${st.blocks_dropped} · ` +
        (st.latency_median_ms != null ? `latency ${st.latency_median_ms.toFixed(0)} ms` : '');
    }
  }

  function wire() {
    $('preset').onchange = sendFilter;
    $('notch').onchange = sendFilter;
    $('mode').onchange = () => {
      S.mode = $('mode').value;
      $('sweep-toolbar').hidden = S.mode !== 'sweep';
      S.sweeps = []; S.trig = { searchFrom: S.head, pending: null }; S.dirty = true;
    };
    $('freeze').onclick = () => {
      S.frozen = !S.frozen;
      $('freeze').textContent = S.frozen ? 'run' : 'freeze';
      S.dirty = true;
    };
    $('auto-scale').onclick = autoScale;
    $('neg-up').onchange = () => { S.pol = $('neg-up').checked ? -1 : 1; S.dirty = true; Viewer.draw(); };
    $('sweep-clear').onclick = () => { S.sweeps = []; S.trig = { searchFrom: S.head, pending: null }; S.dirty = true; };
    for (const id of ['trig-level', 'trig-slope', 'trig-pre', 'sweep-count', 'sweep-layout']) {
      $(id).onchange = () => { S.dirty = true; };
    }
    $('audio-channel').onchange = () => selectChannel(Number($('audio-channel').value));
    scope.addEventListener('click', (e) => { // click a trace to listen to it
      if (!S.info || S.mode !== 'scroll') return;
      const r = scope.getBoundingClientRect();
      const y = (e.clientY - r.top) / r.height;
      const weights = S.groups.map((g) => Math.max(3, g.channels.length));
      const total = weights.reduce((a, b) => a + b, 0);
      let acc = 0;
      for (let gi = 0; gi < S.groups.length; gi++) {
        const h = weights[gi] / total;
        if (y < acc + h) {
          const g = S.groups[gi];
          const li = Math.min(g.channels.length - 1, Math.floor(((y - acc) / h) * g.channels.length));
          selectChannel(g.channels[li]);
          return;
        }
        acc += h;
      }
    });
    $('listen').onclick = async () => {
      if (Audio_.on) { Audio_.stop(); $('listen').textContent = '▶ listen'; return; }
      await Audio_.start();
      $('listen').textContent = '■ mute';
    };
    $('volume').oninput = () => Audio_.applyVolume();
    $('audio-filter').onchange = () => Audio_.applyFilter();
    $('tone').onchange = async () => { if ($('tone').checked && !Audio_.ctx) { await Audio_.start(); Audio_.stop(); Audio_.ctx.resume(); } };
    $('threshold').oninput = () => { $('threshold-value').textContent = thresholdUv().toFixed(0); drawMeter(); };
    $('threshold-value').textContent = thresholdUv().toFixed(0);
    $('record').onclick = () => send({ cmd: 'record' });
    $('stop').onclick = () => send({ cmd: 'stop' });
    $('marker').onclick = () => send({ cmd: 'marker', label: $('marker-label').value || 'marker' });
    $('excitation').oninput = () => send({ cmd: 'excitation', level: Number($('excitation').value) });
    $('refresh').onclick = loadRecordings;
    window.addEventListener('keydown', (e) => {
      if (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT') return;
      if (e.key === 'm' && S.recording) $('marker').click();
      if (e.key === ' ') { e.preventDefault(); $('freeze').click(); }
    });
  }

  // ------------------------------------------------------------------------------------
  // recordings list and viewer
  // ------------------------------------------------------------------------------------
  async function loadRecordings() {
    let list = [];
    try { list = await (await fetch('/api/recordings')).json(); } catch (e) { return; }
    const tb = $('rec-table').querySelector('tbody');
    tb.innerHTML = '';
    for (const r of list) {
      const tr = document.createElement('tr');
      const cells = [r.name, fmtBytes(r.size_bytes), new Date(r.modified * 1000).toLocaleString()];
      for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); }
      const td = document.createElement('td');
      const view = document.createElement('button'); view.textContent = 'view'; view.className = 'small';
      view.onclick = () => Viewer.open(r.name);
      const a = document.createElement('a'); a.textContent = 'download';
      a.href = `/api/recordings/${encodeURIComponent(r.name)}`; a.setAttribute('download', r.name);
      td.append(view, ' ', a);
      if (r.recording) td.append(' (recording…)');
      tr.appendChild(td);
      tb.appendChild(tr);
    }
    S.recordings = list;
  }

  function fmtBytes(n) { return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`; }

  const Viewer = {
    name: null, duration: 0, start: 0, stop: 0, data: null, sens: 200, drag: null,
    cv: $('viewer-canvas'),

    async open(name) {
      this.name = name;
      $('viewer').hidden = false;
      $('viewer-title').textContent = name;
      const head = await this.fetch(0, null);
      if (!head) return;
      this.duration = head.duration_s;
      this.start = 0; this.stop = head.duration_s;
      this.show(head);
    },

    async fetch(a, b) {
      resizeCanvas(this.cv);
      const q = new URLSearchParams({ columns: String(Math.max(100, this.cv.width - 120)), start_s: String(a) });
      if (b !== null) q.set('stop_s', String(b));
      if (!$('v-analysis').checked) q.set('analysis', 'false');
      const r = await fetch(`/api/recordings/${encodeURIComponent(this.name)}/view?${q}`);
      if (!r.ok) { $('viewer-info').textContent = `cannot open: ${r.status}`; return null; }
      return r.json();
    },

    async load() {
      const d = await this.fetch(this.start, this.stop);
      if (d) this.show(d);
    },

    show(d) {
      this.data = d;
      if (!this.autoSens) {
        const med = d.channels.map((_, i) => Math.max(...d.max[i].map(Math.abs), 1)).sort((a, b) => a - b);
        const m = med[Math.floor(med.length / 2)];
        this.sens = SENSITIVITIES.find((s) => s >= m / 2) || 5000;
        this.autoSens = true;
        $('v-sens').value = String(this.sens);
      }
      const an = d.analysis || {};
      $('viewer-info').textContent = `${d.start_s.toFixed(2)}–${d.stop_s.toFixed(2)} s of ${d.duration_s.toFixed(2)} s · ` +
        `${d.channels.length} ch · ${d.fs} Hz · ${d.annotations.length} annotation(s)`;
      const extra = [];
      if (an.available === false) extra.push(`analysis: ${an.reason}`);
      if (an.onsets) extra.push(`${an.onsets.length} onset(s)`);
      if (an.quality) extra.push('quality: ' + an.quality.map((q) => `${q.channel} ${q.status}${q.reason ? ' (' + q.reason + ')' : ''}`).join(', '));
      $('viewer-extra').textContent = extra.join(' · ');
      this.draw();
    },

    draw() {
      const d = this.data, cv = this.cv, ctx = cv.getContext('2d');
      if (!d) return;
      resizeCanvas(cv);
      const W = cv.width, H = cv.height, k = dpr(), left = 110 * k, tw = W - left - 10 * k;
      ctx.fillStyle = '#000'; ctx.fillRect(0, 0, W, H);
      const n = d.channels.length, lane = H / n, cols = d.columns;
      const uvPerPx = (this.sens / (DIV_PX * k)) * S.pol;
      const tx = (t) => left + ((t - d.start_s) / (d.stop_s - d.start_s)) * tw;
      // onsets as shaded spans
      const an = d.analysis || {};
      if (an.onsets) {
        ctx.fillStyle = 'rgba(55,214,122,0.12)';
        for (const o of an.onsets) {
          const li = o.channel_index; if (li == null) continue;
          ctx.fillRect(tx(o.onset_s), lane * li, Math.max(1, tx(o.offset_s) - tx(o.onset_s)), lane);
        }
      }
      ctx.font = `${11 * k}px system-ui`;
      for (let i = 0; i < n; i++) {
        const base = lane * (i + 0.5);
        ctx.strokeStyle = '#37d67a'; ctx.lineWidth = k;
        ctx.beginPath();
        for (let c = 0; c < cols; c++) {
          const x = left + ((c + 0.5) * tw) / cols;
          const hi = d.max[i][c], lo = d.min[i][c];
          if (hi === null) continue;
          if (c === 0) ctx.moveTo(x, base - hi / uvPerPx); else ctx.lineTo(x, base - hi / uvPerPx);
          ctx.lineTo(x, base - lo / uvPerPx);
        }
        ctx.stroke();
        if (an.envelope && an.envelope[i]) {
          ctx.strokeStyle = '#ffb020'; ctx.beginPath();
          an.envelope[i].forEach((v, c) => {
            const x = left + ((c + 0.5) * tw) / cols, y = base - v / uvPerPx;
            if (c === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
          });
          ctx.stroke();
        }
        if (lane / k >= 9 || i % Math.ceil(9 / (lane / k)) === 0) {
          ctx.fillStyle = '#a9b7c8';
          ctx.fillText(chLabel(d.channels[i], i), 4 * k, base + 4 * k, left - 8 * k);
        }
      }
      // annotations (markers)
      for (const a of d.annotations) {
        const x = tx(a.onset_s);
        if (x < left || x > left + tw) continue;
        ctx.strokeStyle = '#ff4d4f'; ctx.setLineDash([3 * k, 3 * k]);
        ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, H); ctx.stroke(); ctx.setLineDash([]);
        ctx.fillStyle = '#ff9d9e'; ctx.fillText(a.label, x + 3 * k, 12 * k);
      }
      // time axis
      ctx.fillStyle = '#7f8ea3';
      ctx.fillText(`${d.start_s.toFixed(2)} s`, left, H - 4 * k);
      ctx.fillText(`${d.stop_s.toFixed(2)} s`, left + tw - 50 * k, H - 4 * k);
      ctx.fillText(`${this.sens} µV/div`, 4 * k, H - 4 * k);
    },

    zoom(factor, centre) {
      const span = (this.stop - this.start) * factor;
      const c = centre === undefined ? (this.start + this.stop) / 2 : centre;
      const minSpan = 0.01;
      const s = Math.max(minSpan, Math.min(this.duration, span));
      this.start = Math.max(0, Math.min(this.duration - s, c - s / 2));
      this.stop = this.start + s;
      this.load();
    },

    pan(frac) {
      const span = this.stop - this.start;
      this.start = Math.max(0, Math.min(this.duration - span, this.start + frac * span));
      this.stop = this.start + span;
      this.load();
    },

    wire() {
      for (const v of SENSITIVITIES) $('v-sens').add(new Option(String(v), String(v)));
      $('v-sens').onchange = () => { this.sens = Number($('v-sens').value); this.draw(); };
      $('v-zoom-in').onclick = () => this.zoom(0.5);
      $('v-zoom-out').onclick = () => this.zoom(2);
      $('v-left').onclick = () => this.pan(-0.5);
      $('v-right').onclick = () => this.pan(0.5);
      $('v-all').onclick = () => { this.start = 0; this.stop = this.duration; this.load(); };
      $('v-close').onclick = () => { $('viewer').hidden = true; this.data = null; this.autoSens = false; };
      $('v-analysis').onchange = () => this.load();
      this.cv.addEventListener('wheel', (e) => {
        e.preventDefault();
        const r = this.cv.getBoundingClientRect();
        const left = 110, tw = r.width - 120;
        const t = this.start + ((e.clientX - r.left - left) / tw) * (this.stop - this.start);
        this.zoom(e.deltaY < 0 ? 0.7 : 1.4, t);
      }, { passive: false });
      this.cv.addEventListener('mousedown', (e) => { this.drag = { x: e.clientX, start: this.start }; });
      window.addEventListener('mouseup', (e) => {
        if (!this.drag) return;
        const r = this.cv.getBoundingClientRect();
        const dt = -((e.clientX - this.drag.x) / (r.width - 120)) * (this.stop - this.start);
        this.drag = null;
        if (Math.abs(dt) > 1e-6) this.pan(dt / (this.stop - this.start));
      });
    },
  };

  // ------------------------------------------------------------------------------------
  // control: a screen-guided training session, then live decisions (docs/server.md)
  // ------------------------------------------------------------------------------------
  const CLASS_COLORS = ['#8fb3d9', '#37d67a', '#f7e463', '#5ab4ff', '#ff8c5a', '#d78cff', '#7ef0e8', '#ff6f91',
    '#b8e986', '#ffc75f', '#9aa5ff', '#4dd0a8', '#e0a3ff'];

  function gestureDisplay(name) {
    const t = String(name).replace(/_/g, ' ').trim();
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  const Control = {
    desc: null, status: null, statusAt: 0, phase: 'idle',
    decisions: 0, last: null, classes: [], rowsFor: '', subjectFor: '', view: 'scope',
    custom: [],

    onHello(c) {
      if (!c) return;
      this.desc = c;
      const known = c.known_gestures;
      $('ctl-add-row').hidden = !!known; // a simulated subject performs only the gestures it knows
      if (c.defaults) {
        $('ctl-reps').value = c.defaults.repetitions; $('ctl-hold').value = c.defaults.hold_s;
        $('ctl-rest').value = c.defaults.rest_s;
      }
      this.buildPicker();
      this.defaultNote = c.simulated_subject
        ? 'The simulated subject follows the prompts, about 0.3 s after each cue.'
        : 'Follow the prompts: hold each gesture while it is shown, relax at “Rest”.';
      this.note(this.defaultNote);
      $('ctl-source-note').textContent = c.note || '';
      $('ctl-source-note').hidden = !c.note;
      if (c.status) this.onStatus(c.status);
    },

    buildPicker() {
      const box = $('ctl-gestures');
      const chosen = new Set(this.chosen());
      const fresh = box.children.length === 0;
      box.innerHTML = '';
      const names = [...(this.desc.gestures || []), ...this.custom.filter((g) => !(this.desc.gestures || []).includes(g))];
      names.filter((g) => g !== 'rest').forEach((g) => {
        const l = document.createElement('label'); l.className = 'check';
        const cb = document.createElement('input'); cb.type = 'checkbox'; cb.value = g;
        cb.checked = fresh || chosen.has(g) || this.custom.includes(g);
        cb.onchange = () => this.plan();
        l.append(cb, ' ' + gestureDisplay(g)); l.title = g;
        box.appendChild(l);
      });
      this.plan();
    },

    chosen() {
      return Array.from($('ctl-gestures').querySelectorAll('input:checked')).map((i) => i.value);
    },

    settings() {
      return { gestures: this.chosen(), repetitions: Math.round(Number($('ctl-reps').value)),
        hold_s: Number($('ctl-hold').value), rest_s: Number($('ctl-rest').value) };
    },

    plan() {
      const s = this.settings();
      const n = s.gestures.length;
      const total = n * s.repetitions * (s.hold_s + s.rest_s) + s.rest_s;
      $('ctl-plan').textContent = n
        ? `${n} gesture${n > 1 ? 's' : ''} × ${s.repetitions} repetition${s.repetitions > 1 ? 's' : ''} + rest: ` +
          `${fmtDuration(total)}`
        : 'choose at least one gesture';
      $('ctl-start').disabled = !n || this.busy();
    },

    busy() { return this.phase === 'prompting' || this.phase === 'training'; },

    start() {
      send({ cmd: 'training_start', ...this.settings() });
    },

    addGesture() {
      const v = $('ctl-new-gesture').value.trim().toLowerCase().replace(/[\s-]+/g, '_');
      if (!/^[a-z][a-z0-9_]{0,31}$/.test(v)) { this.note('a gesture name is a letter, then letters, digits or _', true); return; }
      if (!this.custom.includes(v)) this.custom.push(v);
      $('ctl-new-gesture').value = '';
      this.buildPicker();
    },

    note(text, error) {
      const el = $('ctl-note');
      el.textContent = text; el.classList.toggle('error', !!error);
    },

    onError(msg) { this.note(msg.error, true); },

    onStatus(st) {
      if (!st) return;
      this.status = st; this.statusAt = performance.now();
      const phase = st.phase;
      const changed = phase !== this.phase;
      this.phase = phase;
      if (changed && phase === 'prompting' && this.defaultNote) this.note(this.defaultNote); // an earlier error is over
      const s = st.session;
      $('ctl-start').disabled = this.busy() || !this.chosen().length;
      $('ctl-stop').disabled = !this.busy();
      for (const id of ['ctl-reps', 'ctl-hold', 'ctl-rest', 'ctl-add', 'ctl-new-gesture']) $(id).disabled = this.busy();
      $('ctl-gestures').querySelectorAll('input').forEach((i) => { i.disabled = this.busy(); });
      $('ctl-prompt').hidden = phase !== 'prompting';
      $('ctl-busy').hidden = phase !== 'training';
      $('ctl-live').hidden = phase !== 'control';
      $('ctl-intro').hidden = ['prompting', 'training', 'control'].includes(phase);
      const line = $('ctl-phase');
      if (phase === 'prompting' && s) {
        line.textContent = `Training session ${s.name} · ${s.gestures.length} gestures × ${s.repetitions} repetitions` +
          (s.simulated_subject ? ' · simulated subject' : '') + (s.gaps ? ` · ${s.gaps} gap(s) in the stream` : '');
        this.showPrompt(s);
      } else if (phase === 'training') {
        line.textContent = 'Session complete: training the controller…';
        $('ctl-busy-info').textContent = s ? `${s.name}: TD4 features, LDA, leave-one-repetition-out evaluation` : '';
      } else if (phase === 'control') {
        line.textContent = `Live control · model ${st.control ? st.control.model : ''}`;
      } else if (phase === 'stopped') {
        line.textContent = 'Session stopped: nothing was trained. Start again when ready.';
      } else if (phase === 'failed') {
        line.textContent = 'Training failed: ' + (st.error || 'unknown error');
      } else if (changed || !st.result) {
        line.textContent = st.result ? 'Live control stopped. Start a new session to retrain.'
          : 'Choose the gestures, then start: follow the prompts on this screen.';
      }
      if (st.result) this.showResult(st.result); else $('ctl-result').hidden = true;
      if (st.control) this.showControl(st.control);
      $('ctl-subject-card').hidden = !(phase === 'control' && st.control && st.control.subject != null);
      if (phase === 'control') this.subjectButtons(st.control);
    },

    showPrompt(s) {
      const p = s.prompt;
      const lab = $('ctl-prompt-label');
      const rest = p.kind === 'rest';
      if (!s.started) {
        lab.textContent = 'Get ready'; lab.className = 'prompt-label rest';
        $('ctl-prompt-action').textContent = 'waiting for the stream';
      } else {
        lab.textContent = p.display; lab.className = 'prompt-label' + (rest ? ' rest' : '');
        $('ctl-prompt-action').textContent = rest ? (p.next_display ? `relax · next: ${p.next_display}` : 'relax') : 'hold';
      }
      $('ctl-countdown').className = 'bar-fill' + (rest ? ' rest' : '');
      const last = p.next_display ? '' : ' · last prompt'; // (a rest names the next gesture above)
      $('ctl-prompt-info').textContent = `repetition ${p.repetition} of ${s.repetitions} · prompt ${p.index + 1} of ${p.count}${last}`;
      this.tick();
    },

    // countdown between status messages: the server's time left, less the time since it said so
    tick() {
      const st = this.status;
      if (!st || st.phase !== 'prompting' || !st.session) return;
      const s = st.session, p = s.prompt;
      const dt = s.started ? (performance.now() - this.statusAt) / 1000 : 0;
      const left = Math.max(0, p.left_s - dt);
      $('ctl-countdown').style.width = `${(100 * left) / Math.max(p.duration_s, 1e-3)}%`;
      $('ctl-prompt-left').textContent = `${left.toFixed(1)} s`;
      const done = Math.min(s.total_s, s.elapsed_s + dt);
      $('ctl-progress').style.width = `${(100 * done) / s.total_s}%`;
      $('ctl-progress-text').textContent = `${fmtDuration(done)} / ${fmtDuration(s.total_s)}`;
    },

    showResult(r) {
      $('ctl-result').hidden = false;
      $('ctl-accuracy').textContent = r.accuracy == null ? 'n/a' : `${(100 * r.accuracy).toFixed(1)} %`;
      $('ctl-accuracy-what').textContent = r.accuracy == null ? (r.note || '')
        : `leave-one-repetition-out accuracy (${r.folds.length} folds, ± ${(100 * r.accuracy_sd).toFixed(1)})`;
      const tb = $('ctl-class-table').querySelector('tbody');
      tb.innerHTML = '';
      for (const c of r.per_class) {
        const tr = document.createElement('tr');
        for (const v of [gestureDisplay(c.name), String(c.windows), c.recall == null ? '—' : `${(100 * c.recall).toFixed(0)} %`]) {
          const td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
        }
        tb.appendChild(tr);
      }
      $('ctl-files').textContent = `${r.windows} windows of ${r.window_ms} ms every ${r.step_ms} ms · ${r.features} + LDA · ` +
        `${r.preprocess} · saved ${r.recording} and ${r.model} · trained in ${r.total_s.toFixed(1)} s`;
    },

    buildRows(classes) {
      const key = classes.join(',');
      if (key === this.rowsFor) return;
      this.rowsFor = key; this.classes = classes;
      const box = $('ctl-probs');
      box.innerHTML = '';
      classes.forEach((c, k) => {
        const row = document.createElement('div'); row.className = 'prob-row'; row.dataset.cls = c;
        row.innerHTML = '<span class="pname"></span><div class="bar"><div class="bar-fill"></div></div><span class="pval">—</span>';
        row.querySelector('.pname').textContent = gestureDisplay(c);
        row.querySelector('.bar-fill').style.background = CLASS_COLORS[k % CLASS_COLORS.length];
        box.appendChild(row);
      });
    },

    showControl(c) {
      this.buildRows(c.classes);
      const lat = c.latency;
      $('ctl-latency').textContent = lat ? lat.table : 'waiting for decisions…';
      const med = lat && lat.processing_ms != null ? `processing ${lat.processing_ms.toFixed(2)} ms (p99 ${lat.processing_p99_ms.toFixed(2)})` : '';
      const agree = c.agreement != null ? ` · agrees with the simulated subject ${(100 * c.agreement).toFixed(0)} % of the last ${Math.min(c.decisions, 400)}` : '';
      const post = (c.vote > 1 ? ` · vote of ${c.vote}` : '') + (c.reject > 0 ? ` · rejecting below ${c.reject}` : '');
      $('ctl-live-stats').textContent = `${c.decisions} decisions, one every ${c.step_ms} ms on ${c.window_ms} ms windows${post} · ${med}${agree}` +
        (c.gaps ? ` · ${c.gaps} gap(s)` : '');
      $('ctl-reject').disabled = !c.has_probabilities;
    },

    subjectButtons(c) {
      if (!c || c.subject == null) return;
      const names = ['auto', ...c.classes];
      const key = names.join(',');
      const box = $('ctl-subject-buttons');
      if (key !== this.subjectFor) {
        this.subjectFor = key;
        box.innerHTML = '';
        for (const g of names) {
          const b = document.createElement('button'); b.className = 'small'; b.dataset.gesture = g;
          b.textContent = g === 'auto' ? 'auto (random gestures)' : gestureDisplay(g);
          b.onclick = () => send({ cmd: 'subject', gesture: g });
          box.appendChild(b);
        }
      }
      box.querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.gesture === c.subject));
    },

    onDecision(d) {
      this.decisions++;
      this.last = d;
      if (this.view !== 'control') return;
      const k = this.classes.indexOf(d.class);
      const el = $('ctl-decision');
      el.textContent = d.class === 'rejected' ? 'Rejected' : gestureDisplay(d.class);
      el.className = 'prompt-label';
      el.style.color = k >= 0 ? CLASS_COLORS[k % CLASS_COLORS.length] : '';
      $('ctl-truth').textContent = d.truth != null ? `simulated subject: ${gestureDisplay(d.truth)}` : '';
      for (const row of $('ctl-probs').children) {
        const c = row.dataset.cls;
        const p = d.probabilities ? d.probabilities[c] : (c === d.class ? 1 : 0);
        row.querySelector('.bar-fill').style.width = `${100 * (p || 0)}%`;
        row.querySelector('.pval').textContent = d.probabilities ? `${(100 * (p || 0)).toFixed(0)} %` : '';
        row.classList.toggle('current', c === d.class);
        row.querySelector('.pname').style.color = c === d.class ? row.querySelector('.bar-fill').style.background : '';
      }
      $('ctl-speed').style.width = d.speed == null ? '0%' : `${100 * d.speed}%`;
      $('ctl-speed-val').textContent = d.speed == null ? 'n/a' : d.speed.toFixed(2);
    },

    setView(v) {
      this.view = v;
      $('layout').hidden = v !== 'scope';
      $('recordings').hidden = v !== 'scope';
      $('control-view').hidden = v !== 'control';
      $('tab-scope').classList.toggle('active', v === 'scope');
      $('tab-control').classList.toggle('active', v === 'control');
      S.dirty = true;
    },

    wire() {
      $('tab-scope').onclick = () => this.setView('scope');
      $('tab-control').onclick = () => this.setView('control');
      $('ctl-start').onclick = () => this.start();
      $('ctl-stop').onclick = () => send({ cmd: 'training_stop' });
      $('ctl-control-stop').onclick = () => send({ cmd: 'control_stop' });
      $('ctl-options-apply').onclick = () => send({
        cmd: 'control_options',
        vote: Math.max(1, Math.min(15, Math.round(Number($('ctl-vote').value) || 1))),
        reject: Math.max(0, Math.min(0.99, Number($('ctl-reject').value) || 0)),
      });
      $('ctl-add').onclick = () => this.addGesture();
      $('ctl-new-gesture').onkeydown = (e) => { if (e.key === 'Enter') this.addGesture(); };
      for (const id of ['ctl-reps', 'ctl-hold', 'ctl-rest']) $(id).oninput = () => this.plan();
      if (location.hash === '#control') this.setView('control');
    },
  };

  function fmtDuration(s) {
    if (s < 60) return `${s.toFixed(0)} s`;
    return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  }

  // ------------------------------------------------------------------------------------
  // main loop
  // ------------------------------------------------------------------------------------
  function frame(t) {
    if (Control.view === 'control') Control.tick();
    if ((S.dirty || S.mode === 'sweep') && t - S.lastDraw >= 33) {
      S.lastDraw = t;
      S.dirty = false;
      drawScope();
      S.draws = (S.draws || 0) + 1;
    }
    requestAnimationFrame(frame);
  }

  // test hook: what the page received, drew and played
  window.__myograph = {
    get info() { return S.info; },
    get state() {
      return {
        connected: S.connected, framesReceived: S.framesReceived, bytesReceived: S.bytesReceived,
        lastFrame: S.lastFrame, head: S.head, step: S.step, selected: S.selected, mode: S.mode,
        groups: S.groups.map((g) => ({ name: g.name, sens: g.sens, timebase: g.timebase, channels: g.channels.length })),
        recording: S.recording, draws: S.draws || 0, sweeps: S.sweeps.length, meterLevel: S.meterLevel,
        toneOn: !!S.toneOn, audioOn: Audio_.on, audioKind: Audio_.kind, lastError: S.lastError,
        acks: S.acks.slice(-20), errors: S.errors.slice(-20), filter: $('filter-desc').textContent,
      };
    },
    // the last n display samples of channel ch and the display index of the first
    channelTail(ch, n) {
      n = Math.min(n, S.cap - 1, S.head);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = ringGet(ch, S.head - n + i);
      return { first: S.head - n, step: S.step, values: out };
    },
    get audio() {
      const h = Audio_.hook;
      if (!h) return null;
      return {
        channel: h.channel, fsIn: h.fsIn, fsOut: h.fsOut, inputFirst: h.inputFirst,
        input: Array.from(h.input.subarray(0, h.inputCount)),
        output: Array.from(h.output.subarray(0, h.outputCount)),
        positions: Array.from(h.positions.subarray(0, h.outputCount)),
        fullScaleUv: AUDIO_FULL_SCALE_UV, kind: Audio_.kind,
      };
    },
    renderOffline: (n) => Audio_.renderOffline(n),
    get control() {
      return { phase: Control.phase, status: Control.status, decisions: Control.decisions, last: Control.last,
        view: Control.view };
    },
    setView: (v) => Control.setView(v),
    selectChannel, autoScale, send,
  };

  wire();
  Viewer.wire();
  Control.wire();
  connect();
  loadRecordings();
  requestAnimationFrame(frame);
})();
