// Builds: newest first, refreshed every two seconds while the page is open; filter by status and text.
'use strict';
(function () {
  const {el, api} = Kiln;
  const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
  const HEADERS = ['Status', 'Kind', 'Image', 'Digest', 'Base', 'Cache level', 'Duration', 'Uploaded', 'Submitted by', 'Submitted'];
  let builds = [];

  function durationOf(b) {
    if (!b.startedAt) return '—';
    const end = b.finishedAt ? Date.parse(b.finishedAt) : Date.now();
    return Kiln.duration(end - Date.parse(b.startedAt));
  }

  function matches(b, text) {
    if (!text) return true;
    return [b.id, b.kind, b.status, b.to, b.image, b.digest, b.base, b.submitter, b.error].some(v => v && v.toLowerCase().includes(text));
  }

  function render(tbody, statusFilter, textFilter) {
    const text = textFilter.value.trim().toLowerCase();
    const shown = builds.filter(b => (!statusFilter.value || b.status === statusFilter.value) && matches(b, text));
    tbody.replaceChildren(...shown.map(b => Kiln.row(HEADERS, [
      Kiln.status(b.status),
      b.kind,
      el('a', {href: '/builds/' + b.id, class: 'ref', title: 'Build ' + b.id}, Kiln.breakable(b.image ? b.image.replace(/@sha256:.*/, '') : b.to)),
      Kiln.digest(b.digest),
      Kiln.image(b.base),
      Kiln.level(b.cacheLevel),
      durationOf(b),
      Kiln.bytes(b.bytesUploaded),
      b.submitter,
      Kiln.time(b.submittedAt)], {'data-build': b.id, 'data-status': b.status})));
    if (shown.length === 0) {
      tbody.replaceChildren(el('tr', {}, el('td', {colspan: HEADERS.length, class: 'muted'}, statusFilter.value || text ? 'No build matches the filter.' : 'No builds yet.')));
    }
  }

  Kiln.start(async () => {
    const statusFilter = el('select', {id: 'status-filter'}, el('option', {value: ''}, 'any status'),
      STATUSES.map(s => el('option', {value: s}, s)));
    const textFilter = el('input', {id: 'text-filter', type: 'search', placeholder: 'image, digest, submitter…'});
    const tableNode = Kiln.table('!Builds, newest first', HEADERS, [], {id: 'builds', class: 'cards'});
    const tbody = tableNode.querySelector('tbody');
    Kiln.content().append(
      el('form', {class: 'filters', role: 'search', onsubmit: e => e.preventDefault()},
        el('label', {for: 'status-filter'}, 'Status'), statusFilter,
        el('label', {for: 'text-filter'}, 'Filter'), textFilter),
      tableNode);
    const refresh = async () => {
      const query = statusFilter.value ? '&status=' + statusFilter.value : '';
      builds = (await api('/api/v1/builds?limit=200' + query)).builds;
      render(tbody, statusFilter, textFilter);
    };
    statusFilter.addEventListener('change', refresh);
    textFilter.addEventListener('input', () => render(tbody, statusFilter, textFilter));
    await refresh();
    // the service says when a build is submitted or changes status (Server-Sent Events); the list is read again then
    new EventSource('/api/v1/builds/changes').addEventListener('changed', () => refresh().catch(e => Kiln.toast(e.message, true)));
  });
})();
