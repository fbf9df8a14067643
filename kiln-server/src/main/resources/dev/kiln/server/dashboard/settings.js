// Settings: the effective configuration (secrets already <redacted> by the service) with its sources,
// and the schedules with their last and next runs.
'use strict';
(function () {
  const {el, api} = Kiln;

  /** A configuration tree as nested definition lists. */
  function tree(value) {
    if (value === null || value === undefined) return el('span', {class: 'muted'}, '—');
    if (Array.isArray(value)) return value.length === 0 ? el('span', {class: 'muted'}, '[]') : el('ol', {class: 'tree'}, value.map(v => el('li', {}, tree(v))));
    if (typeof value === 'object') {
      const entries = Object.entries(value);
      return entries.length === 0 ? el('span', {class: 'muted'}, '{}')
        : el('dl', {class: 'tree'}, entries.map(([k, v]) => [el('dt', {}, k), el('dd', {}, tree(v))]));
    }
    const text = String(value);
    return el('code', {class: text === '<redacted>' ? 'redacted' : null}, text);
  }

  Kiln.start(async () => {
    const [config, schedules] = await Promise.all([api('/api/v1/config'), api('/api/v1/schedules')]);
    const sources = config.sources || [];
    const shown = Object.assign({}, config);
    delete shown.sources;
    const headers = ['Schedule', 'Every', 'Does', 'Last run', 'Found', 'Did', 'Next run'];
    Kiln.content().append(
      el('section', {class: 'card'}, el('h2', {}, 'Schedules'),
        Kiln.table('!Schedules with their last and next runs', headers, schedules.schedules.map(s => {
          const last = s.runs[0];
          return Kiln.row(headers, [s.name, s.every ? s.every.replace(/^PT/, '').toLowerCase() : el('span', {class: 'muted'}, 'off'), s.does,
            last ? Kiln.time(last.startedAt) : el('span', {class: 'muted'}, 'never'), last ? (last.error || last.found || '—') : '—',
            last ? last.did || '—' : '—', s.every ? (s.nextRun ? Kiln.time(s.nextRun) : 'after start + ' + s.every.replace(/^PT/, '').toLowerCase()) : '—']);
        }), {id: 'schedules', class: 'cards'}),
        el('p', {class: 'muted'}, 'Automatic rebase: ' + (schedules.autoRebase ? 'on' : 'off') + ' (server.autoRebase).')),
      el('section', {class: 'card'}, el('h2', {}, 'Where the values come from'),
        sources.length === 0 ? el('p', {class: 'muted'}, 'Defaults only: no configuration file, no KILN_* environment variable.')
          : el('ol', {id: 'sources'}, sources.map(s => el('li', {}, el('code', {}, s)))),
        el('p', {class: 'muted'}, 'Later sources override earlier ones; whatever none sets is a default.')),
      el('section', {class: 'card'}, el('h2', {}, 'Effective configuration'), el('div', {id: 'config'}, tree(shown))));
  });
})();
