// A build: its log live from the event stream (each line with its elapsed time), a timeline of its
// steps, its layers, its result, the FlinkDeployment of a Flink build, and cancel while it runs.
'use strict';
(function () {
  const {el, api} = Kiln;
  const FINAL = ['succeeded', 'failed', 'cancelled', 'interrupted'];
  const id = decodeURIComponent(location.pathname.split('/').pop());
  const state = {build: null, events: [], origin: null, status: null};
  const nodes = {};

  function shortHex(digest) {
    return (digest || '').replace(/^sha256:/, '').substring(0, 12);
  }

  /** One log line's text, from an event of the build (the API's SSE, one JSON per event). */
  function describe(type, d) {
    switch (type) {
      case 'Status': return 'status: ' + d.status + (d.error ? ' — ' + d.error : '');
      case 'StepStarted': return '▶ ' + d.step + (d.detail ? ' — ' + d.detail : '');
      case 'StepFinished': return '✓ ' + d.step + ' (' + Kiln.duration(Kiln.isoMillis(d.duration)) + ')' + (d.detail ? ' — ' + d.detail : '');
      case 'StepFailed': return '✗ ' + d.step + ' failed: ' + d.error;
      case 'CacheDecision': return 'cache ' + d.subject + ': ' + d.outcome + (d.reason ? ' — ' + d.reason : '');
      case 'TransferStarted': return (d.direction === 'UPLOAD' ? '↑ upload ' : '↓ download ') + shortHex(d.digest) + ' (' + Kiln.bytes(d.size) + ')'
        + (d.peer ? (d.direction === 'UPLOAD' ? ' to ' : ' from ') + d.peer : '');
      case 'TransferFinished': return (d.direction === 'UPLOAD' ? '↑ uploaded ' : '↓ downloaded ') + shortHex(d.digest) + ': '
        + Kiln.bytes(d.bytes) + ' in ' + Kiln.duration(Kiln.isoMillis(d.duration));
      case 'Retrying': return '↻ retrying ' + d.what + ' (attempt ' + d.attempt + '): ' + d.reason;
      case 'Info': return d.subject + ': ' + d.message;
      case 'Warning': return '⚠ ' + d.message;
      default: return type + ' ' + JSON.stringify(d);
    }
  }

  function addEvent(type, data) {
    if (type === 'TransferProgress') return;
    state.events.push({type: type, data: data});
    const at = Date.parse(data.at);
    if (state.origin === null) state.origin = at;
    const elapsed = '+' + ((at - state.origin) / 1000).toFixed(1) + ' s';
    nodes.log.appendChild(el('li', {class: 'line line-' + type},
      el('span', {class: 'elapsed', title: new Date(at).toLocaleString()}, elapsed), el('span', {class: 'text'}, describe(type, data))));
    nodes.log.parentElement.scrollTop = nodes.log.parentElement.scrollHeight;
    if (type === 'Status') setStatus(data.status);
    if (type.startsWith('Step')) renderTimeline();
  }

  function setStatus(status) {
    state.status = status;
    nodes.status.replaceChildren(Kiln.status(status));
    nodes.cancel.hidden = FINAL.includes(status) || !Kiln.can('build');
  }

  /** Each step as a bar from its start to its end (or to now while it runs), on one time axis. */
  function renderTimeline() {
    const steps = [];
    const open = {};
    state.events.forEach(e => {
      const at = Date.parse(e.data.at);
      if (e.type === 'StepStarted') {
        const step = {name: e.data.step, detail: e.data.detail, start: at, end: null, failed: false};
        steps.push(step);
        (open[e.data.step] = open[e.data.step] || []).push(step);
      } else if (e.type === 'StepFinished' || e.type === 'StepFailed') {
        const started = (open[e.data.step] || []).pop();
        const ms = Kiln.isoMillis(e.data.duration) || 0;
        const step = started || (steps.push({name: e.data.step, start: at - ms}), steps[steps.length - 1]);
        step.end = at;
        step.failed = e.type === 'StepFailed';
      }
    });
    if (steps.length === 0) {
      nodes.timeline.replaceChildren(el('p', {class: 'muted'}, 'No steps yet.'));
      return;
    }
    const origin = Math.min(...steps.map(s => s.start));
    const now = FINAL.includes(state.status) ? Math.max(...steps.map(s => s.end || s.start)) : Date.now();
    const total = Math.max(now - origin, 1);
    const rows = steps.map(s => {
      const end = s.end || now;
      const left = (s.start - origin) / total * 100;
      const width = Math.max((end - s.start) / total * 100, 0.5);
      const label = s.name + ': ' + Kiln.duration(end - s.start) + (s.end ? '' : ' (running)');
      return el('div', {class: 'tl-row', role: 'listitem'},
        el('span', {class: 'tl-name', title: s.detail || s.name}, s.name),
        el('span', {class: 'tl-track'}, el('span', {class: 'tl-bar' + (s.end ? '' : ' running') + (s.failed ? ' failed' : ''),
          style: null, 'data-left': left.toFixed(2), 'data-width': width.toFixed(2), title: label, 'aria-label': label})),
        el('span', {class: 'tl-time'}, Kiln.duration(end - s.start)));
    });
    nodes.timeline.replaceChildren(el('div', {class: 'tl', role: 'list', 'aria-label': 'Steps over time, total ' + Kiln.duration(total)}, rows),
      el('p', {class: 'muted tl-axis'}, '0 s', el('span', {}, Kiln.duration(total))));
    // positions through the CSSOM: the page's policy allows no inline style attributes
    nodes.timeline.querySelectorAll('.tl-bar').forEach(bar => {
      bar.style.left = bar.dataset.left + '%';
      bar.style.width = bar.dataset.width + '%';
    });
  }

  function layerFate(digest) {
    const hex = shortHex(digest);
    let fate = null;
    state.events.forEach(e => {
      if (e.type === 'CacheDecision' && e.data.subject === hex && (e.data.outcome === 'mount' || e.data.outcome === 'skip')) {
        fate = e.data.outcome === 'mount' ? 'mounted' : 'already in the target';
      }
      if (e.type === 'TransferFinished' && e.data.direction === 'UPLOAD' && e.data.digest === digest) fate = 'uploaded';
    });
    return fate;
  }

  function renderResult() {
    const b = state.build;
    const result = b.result || {};
    const build = result.build || result;
    nodes.summary.replaceChildren(el('dl', {class: 'facts'},
      el('dt', {}, 'Kind'), el('dd', {}, b.kind),
      el('dt', {}, 'Target'), el('dd', {}, Kiln.image(b.to)),
      el('dt', {}, 'Submitted by'), el('dd', {}, b.submitter),
      el('dt', {}, 'Submitted'), el('dd', {}, Kiln.time(b.submittedAt)),
      el('dt', {}, 'Duration'), el('dd', {}, b.startedAt ? Kiln.duration((b.finishedAt ? Date.parse(b.finishedAt) : Date.now()) - Date.parse(b.startedAt)) : '—'),
      el('dt', {}, 'Base'), el('dd', {}, Kiln.image(build.base && build.base.reference), ' ', Kiln.digest(build.base && build.base.digest)),
      el('dt', {}, 'Cache level'), el('dd', {}, Kiln.level(b.cacheLevel)),
      el('dt', {}, 'Downloaded'), el('dd', {}, Kiln.bytes(b.bytesDownloaded)),
      el('dt', {}, 'Uploaded'), el('dd', {}, Kiln.bytes(b.bytesUploaded)),
      b.error ? [el('dt', {}, 'Error'), el('dd', {class: 'error'}, b.error)] : null));
    if (b.image && b.digest) {
      const pinned = b.image.includes('@') ? b.image : b.image + '@' + b.digest;
      nodes.result.replaceChildren(el('p', {class: 'result'}, el('code', {id: 'result-image', title: pinned}, pinned), ' ',
        Kiln.copyButton(pinned, 'Copy image@digest')));
    } else {
      nodes.result.replaceChildren(el('p', {class: 'muted'}, FINAL.includes(b.status) ? 'No image: the build ' + b.status + '.' : 'Not finished yet.'));
    }
    const layers = build.layers || [];
    const headers = ['Layer', 'Destination', 'Digest', 'Size', 'Packed', 'Target'];
    nodes.layers.replaceChildren(el('div', {}, layers.length === 0 ? el('p', {class: 'muted'}, 'No layers of its own.') :
      Kiln.table('!Layers the build added, bottom first', headers, layers.map(l => Kiln.row(headers, [
        el('span', {title: l.source}, l.source.split('/').pop()), l.destination || '—', Kiln.digest(l.digest), Kiln.bytes(l.size),
        l.cached ? el('span', {class: 'tag tag-good'}, 'reused (cached)') : el('span', {class: 'tag'}, 'packed'),
        layerFate(l.digest) ? el('span', {class: 'tag'}, layerFate(l.digest)) : '—'])), {class: 'cards'}),
      build.blobsUploaded !== undefined ? el('p', {class: 'muted'}, 'Blobs: ' + build.blobsUploaded + ' uploaded (' + Kiln.bytes(build.bytesUploaded) + '), '
        + build.blobsMounted + ' mounted (' + Kiln.bytes(build.bytesMounted) + '), ' + build.blobsSkipped + ' already in the target ('
        + Kiln.bytes(build.bytesSkipped) + '); ' + build.requests + ' requests.') : null));
    if (result.deploymentYaml) {
      const file = new Blob([result.deploymentYaml], {type: 'application/yaml'});
      nodes.deployment.hidden = false;
      nodes.deployment.replaceChildren(el('h2', {}, 'FlinkDeployment'),
        el('p', {}, el('a', {href: URL.createObjectURL(file), download: 'flinkdeployment-' + id.substring(0, 8) + '.yaml', class: 'button', id: 'download-deployment'}, 'Download YAML'),
          ' ', Kiln.copyButton(result.deploymentYaml, 'Copy the FlinkDeployment')),
        el('pre', {class: 'yaml', tabindex: '0', 'aria-label': 'FlinkDeployment YAML'}, result.deploymentYaml));
    }
  }

  async function reload() {
    state.build = await api('/api/v1/builds/' + encodeURIComponent(id));
    document.getElementById('title').textContent = 'Build ' + id.substring(0, 8);
    renderResult();
  }

  /** Reloads until the history has the build's end: the stream's last event may come just before the record is written. */
  async function untilRecorded() {
    for (let attempt = 0; attempt < 50; attempt++) {
      await reload();
      if (FINAL.includes(state.build.status)) return;
      await new Promise(done => setTimeout(done, 200));
    }
  }

  Kiln.start(async () => {
    nodes.status = el('span', {id: 'build-status'});
    nodes.cancel = el('button', {type: 'button', id: 'cancel', class: 'danger', hidden: true, onclick: async () => {
      try {
        await api('/api/v1/builds/' + encodeURIComponent(id) + '/cancel', {method: 'POST'});
        Kiln.toast('Cancelling build ' + id.substring(0, 8));
      } catch (e) {
        Kiln.toast(e.message, true);
      }
    }}, 'Cancel build');
    nodes.summary = el('div', {id: 'summary'});
    nodes.result = el('div', {id: 'result'});
    nodes.timeline = el('div', {id: 'timeline'});
    nodes.log = el('ol', {id: 'log', class: 'log'});
    nodes.layers = el('div', {id: 'layers'});
    nodes.deployment = el('section', {id: 'deployment', class: 'card', hidden: true});
    Kiln.content().append(
      el('div', {class: 'toolbar'}, el('span', {}, 'Status: '), nodes.status, nodes.cancel),
      el('div', {class: 'grid'},
        el('section', {class: 'card'}, el('h2', {}, 'Summary'), nodes.summary, el('h3', {}, 'Result'), nodes.result),
        el('section', {class: 'card'}, el('h2', {}, 'Timeline'), nodes.timeline)),
      el('section', {class: 'card'}, el('h2', {id: 'log-title'}, 'Log'),
        el('div', {class: 'log-box', tabindex: '0', role: 'log', 'aria-labelledby': 'log-title'}, nodes.log)),
      el('section', {class: 'card'}, el('h2', {}, 'Layers'), nodes.layers),
      nodes.deployment);
    await reload();
    setStatus(state.build.status);
    renderTimeline();
    const stream = new EventSource('/api/v1/builds/' + encodeURIComponent(id) + '/events?times=true');
    ['Status', 'StepStarted', 'StepFinished', 'StepFailed', 'CacheDecision', 'TransferStarted', 'TransferFinished', 'Retrying', 'Info', 'Warning']
      .forEach(type => stream.addEventListener(type, e => {
        const data = JSON.parse(e.data);
        addEvent(type, data);
        if (type === 'Status' && FINAL.includes(data.status)) {
          stream.close();
          untilRecorded().then(renderTimeline).catch(err => Kiln.toast(err.message, true));
        }
      }));
    const ticker = setInterval(() => {
      if (FINAL.includes(state.status)) clearInterval(ticker);
      else renderTimeline();
    }, 1000);
  });
})();
