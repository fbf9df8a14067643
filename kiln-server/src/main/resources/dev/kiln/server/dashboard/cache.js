// Cache: the levels with their hits, the store against its watermarks, the cached images (sortable),
// hit ratio and bytes saved per hour, and (admin) refresh and prune with a dry-run preview.
'use strict';
(function () {
  const {el, api} = Kiln;
  const HEADERS = ['Registry', 'Repository', 'Tag', 'Platform', 'Digest', 'Size', 'Served by', 'Last used', 'Fetched', 'Checked'];
  const KEYS = ['registry', 'repository', 'tag', 'platform', 'digest', 'size', 'level', 'lastUsed', 'fetchedAt', 'checkedAt'];
  let images = [];
  let sort = {key: 'lastUsed', descending: true};
  let storeLimits = {};

  /** The cache levels in the order a pull asks them (store, daemon, mirrors, origin), from the configuration, with their hits. */
  function levels(cache, config) {
    const hits = cache.hitsSinceStart || {};
    const list = [{level: 'store', detail: 'the local store' + (config.store && config.store.dir ? ': ' + config.store.dir : ''), hits: hits.store || 0}];
    if (config.daemon && config.daemon.enabled !== false) {
      list.push({level: 'daemon', detail: 'the Docker engine' + (config.daemon.host ? ' at ' + config.daemon.host : ''), hits: hits.daemon || 0});
    }
    Object.entries(config.registries || {}).forEach(([pattern, registry]) => (registry.mirrors || []).forEach(mirror => list.push({
      level: 'mirror', detail: mirror.url + ' for ' + pattern + (mirror.resolve ? ' (tags and digests)' : ' (content by digest only)'),
      hits: hits.mirror || 0})));
    list.push({level: 'registry', detail: 'each image\'s own registry: what no cache level had', hits: cache.missesSinceStart || 0});
    return list;
  }

  function levelsTable(list) {
    const headers = ['Level', 'What', 'Hits'];
    return Kiln.table('Cache levels, in the order a pull asks them; hits since the service started', headers,
      list.map(l => Kiln.row(headers, [Kiln.level(l.level), l.detail, String(l.hits)], {'data-level': l.level})), {id: 'levels', class: 'cards'});
  }

  function gauge(store) {
    const limit = store.maxSize;
    const wrap = el('div', {class: 'gauge-wrap'});
    if (!limit) {
      wrap.append(el('p', {}, 'The store holds ', el('strong', {id: 'store-bytes'}, Kiln.bytes(store.bytes)), '; no size limit is configured (store.maxSize).'));
      return wrap;
    }
    const fill = el('span', {class: 'gauge-fill' + (store.bytes > limit ? ' over' : '')});
    const lowWatermark = store.lowWatermark || limit;
    const low = el('span', {class: 'gauge-mark', title: 'low watermark ' + Kiln.bytes(lowWatermark)});
    wrap.append(el('div', {class: 'gauge', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': String(limit), 'aria-valuenow': String(store.bytes),
      'aria-label': 'Store size ' + Kiln.bytes(store.bytes) + ' of ' + Kiln.bytes(limit)}, fill, low),
    el('p', {}, el('strong', {id: 'store-bytes'}, Kiln.bytes(store.bytes)), ' of ' + Kiln.bytes(limit) + ' (high watermark); cleaned down to '
      + Kiln.bytes(lowWatermark) + ' (low watermark) when a build leaves it above.'));
    fill.style.width = Math.min(store.bytes / limit * 100, 100) + '%';
    low.style.left = (lowWatermark / limit * 100) + '%';
    return wrap;
  }

  function renderImages(table) {
    const sorted = images.slice().sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      const order = x === y ? 0 : x === null || x === undefined ? -1 : y === null || y === undefined ? 1 : x < y ? -1 : 1;
      return sort.descending ? -order : order;
    });
    table.querySelectorAll('th').forEach((th, i) => {
      th.setAttribute('aria-sort', KEYS[i] === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    });
    const tbody = table.querySelector('tbody');
    tbody.replaceChildren(...sorted.map(i => Kiln.row(HEADERS, [i.registry, i.repository, i.tag || '—', i.platform, Kiln.digest(i.digest),
      Kiln.bytes(i.size), Kiln.level(i.level), Kiln.time(i.lastUsed), Kiln.time(i.fetchedAt), Kiln.time(i.checkedAt)],
    {'data-reference': i.reference})));
    if (sorted.length === 0) tbody.replaceChildren(el('tr', {}, el('td', {colspan: HEADERS.length, class: 'muted'}, 'The store is empty.')));
  }

  function imagesTable() {
    const table = el('table', {id: 'images', class: 'cards'}, el('caption', {class: 'offscreen'}, 'Cached images; the column buttons sort'),
      el('thead', {}, el('tr', {}, HEADERS.map((h, i) => el('th', {scope: 'col'}, el('button', {type: 'button', class: 'sort',
        onclick: () => {
          sort = {key: KEYS[i], descending: sort.key === KEYS[i] ? !sort.descending : false};
          renderImages(table);
        }}, h))))),
      el('tbody', {}));
    renderImages(table);
    return el('div', {class: 'table-wrap'}, table);
  }

  function chart(stats, box) {
    const hours = stats.hours;
    if (hours.length === 0 || typeof uPlot === 'undefined') {
      box.replaceChildren(el('p', {class: 'muted'}, 'No builds in the last 24 hours.'));
      return;
    }
    const x = hours.map(h => Date.parse(h.hour) / 1000);
    const ratio = hours.map(h => {
      const hits = Object.values(h.cacheHits || {}).reduce((a, b) => a + b, 0);
      return hits + h.cacheMisses === 0 ? null : hits / (hits + h.cacheMisses) * 100;
    });
    const saved = hours.map(h => h.bytesSaved / 1024 / 1024);
    box.replaceChildren();
    const now = Date.now() / 1000;
    const plot = new uPlot({
      width: chartWidth(box), height: 220, tzDate: ts => new Date(ts * 1000),
      series: [{}, {label: 'Hit ratio (%)', scale: '%', stroke: '#1f7a45', width: 2, points: {size: 9, fill: '#1f7a45'}},
        {label: 'Saved (MB)', scale: 'MB', stroke: '#2f5fb3', fill: 'rgba(47, 95, 179, 0.35)', width: 1,
          paths: uPlot.paths.bars({size: [0.6, 24]}), points: {show: false}}],
      scales: {x: {time: true, range: () => [Date.parse(stats.since) / 1000, now]}, '%': {range: [0, 100]}, MB: {range: (u, min, max) => [0, Math.max(max, 0.1) * 1.2]}},
      axes: [{}, {scale: '%', label: 'hit ratio %'}, {scale: 'MB', side: 1, label: 'MB saved', grid: {show: false}}]
    }, [x, ratio, saved], box);
    // the chart keeps its pixel size: follow the card when the window changes (a phone turned, a window resized)
    window.addEventListener('resize', () => plot.setSize({width: chartWidth(box), height: 220}));
  }

  function chartWidth(box) {
    return Math.max(Math.min(box.clientWidth || 600, 900), 240);
  }

  /** A prune as the store's limits ask (what a build that leaves the store above them does), or of unreferenced blobs only. */
  function pruneBody(dryRun) {
    const body = {dryRun: dryRun};
    if (storeLimits.maxSize) body.maxSize = String(storeLimits.maxSize);
    if (storeLimits.lowWatermark) body.lowWatermark = String(storeLimits.lowWatermark);
    return body;
  }

  async function actions(box) {
    if (!Kiln.can('admin')) return;
    const preview = el('div', {id: 'prune-preview', 'aria-live': 'polite'});
    const refresh = el('button', {type: 'button', id: 'refresh'}, 'Refresh cached tags');
    const prune = el('button', {type: 'button', id: 'prune-preview-button'}, 'Prune… (preview)');
    refresh.addEventListener('click', async () => {
      refresh.disabled = true;
      try {
        const result = await api('/api/v1/cache/refresh', {method: 'POST', body: {images: []}});
        Kiln.toast('Checked ' + result.images.length + ' cached tags');
        await load();
      } catch (e) {
        Kiln.toast(e.message, true);
      } finally {
        refresh.disabled = false;
      }
    });
    prune.addEventListener('click', async () => {
      try {
        const dry = await api('/api/v1/cache/prune', {method: 'POST', body: pruneBody(true)});
        const confirm = el('button', {type: 'button', class: 'danger', id: 'prune-confirm'}, 'Prune now');
        confirm.addEventListener('click', async () => {
          const done = await api('/api/v1/cache/prune', {method: 'POST', body: pruneBody(false)});
          preview.replaceChildren(el('p', {}, 'Pruned: ' + done.removed.length + ' images, ' + Kiln.bytes(done.bytesFreed) + ' freed.'));
          await load();
        });
        preview.replaceChildren(el('p', {}, 'Prune would remove ' + dry.removed.length + ' images and ' + dry.blobsRemoved + ' blobs, freeing '
          + Kiln.bytes(dry.bytesFreed) + ' (' + Kiln.bytes(dry.bytesBefore) + ' → ' + Kiln.bytes(dry.bytesAfter) + ').'),
        el('ul', {}, dry.removed.map(i => el('li', {}, i.reference + ' (' + i.platform + ', ' + Kiln.bytes(i.size) + ')'))),
        confirm);
      } catch (e) {
        Kiln.toast(e.message, true);
      }
    });
    box.append(el('div', {class: 'toolbar'}, refresh, prune), preview);
  }

  const sections = {};

  async function load() {
    const [cache, stats, config] = await Promise.all([api('/api/v1/cache'), api('/api/v1/stats'), api('/api/v1/config')]);
    images = cache.images.map(i => Object.assign({reference: i.registry + '/' + i.repository + (i.tag ? ':' + i.tag : '')}, i));
    storeLimits = cache.store;
    sections.levels.replaceChildren(levelsTable(levels(cache, config)));
    sections.store.replaceChildren(gauge(cache.store));
    sections.images.replaceChildren(imagesTable());
    chart(stats, sections.chart);
  }

  Kiln.start(async () => {
    sections.levels = el('div');
    sections.store = el('div');
    sections.images = el('div');
    sections.chart = el('div', {id: 'chart', role: 'img', 'aria-label': 'Hit ratio and bytes saved per hour'});
    const admin = el('div');
    Kiln.content().append(admin,
      el('div', {class: 'grid'},
        el('section', {class: 'card'}, el('h2', {}, 'Levels'), sections.levels),
        el('section', {class: 'card'}, el('h2', {}, 'Store'), sections.store, el('h3', {}, 'Hit ratio and bytes saved, per hour'), sections.chart)),
      el('section', {class: 'card'}, el('h2', {}, 'Cached images'), sections.images));
    await actions(admin);
    await load();
  });
})();
