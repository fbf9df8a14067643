// Settings: the effective configuration (secrets already <redacted> by the service) with its sources,
// and the schedules with their last and next runs (admin: run one now).
'use strict';
(function () {
  const {el, api} = Kiln;
  const SCHEDULES = {refresh: 'one HEAD per cached tag; pulls what moved', outdated: 'compares every image Kiln built with its base tag',
    prune: 'applies the store\'s limits and the history\'s retention'};

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

  function runNow(name) {
    return el('button', {type: 'button', class: 'run-now', 'aria-label': 'Run the ' + name + ' schedule now', onclick: async e => {
      e.currentTarget.disabled = true;
      try {
        await api('/api/v1/schedules/' + name + '/run', {method: 'POST'});
        location.reload();
      } catch (err) {
        Kiln.toast(err.message, true);
      }
    }}, 'Run now');
  }

  function schedulesTable(schedules) {
    const headers = ['Schedule', 'Every', 'Does', 'Last run', 'Found', 'Did', 'Next run', ''];
    return Kiln.table('!Schedules with their last and next runs', headers, Object.keys(SCHEDULES).map(name => {
      const s = schedules.find(x => x.name === name);
      const last = s && s.lastRuns[0];
      return Kiln.row(headers, [name, s ? Kiln.period(s.period) : el('span', {class: 'muted'}, 'off'), SCHEDULES[name],
        last ? Kiln.time(last.startedAt) : el('span', {class: 'muted'}, 'never'),
        last ? (last.error ? el('span', {class: 'error'}, last.error) : last.found || '—') : '—', last ? last.did || '—' : '—',
        s && s.nextRun ? Kiln.time(s.nextRun) : '—', s && Kiln.can('admin') ? runNow(name) : '']);
    }), {id: 'schedules', class: 'cards'});
  }

  Kiln.start(async () => {
    const [config, schedules] = await Promise.all([api('/api/v1/config'), api('/api/v1/schedules')]);
    const sources = config.sources || [];
    const shown = Object.assign({}, config);
    delete shown.sources;
    Kiln.content().append(
      el('section', {class: 'card'}, el('h2', {}, 'Schedules'), schedulesTable(schedules.schedules),
        el('p', {class: 'muted'}, 'Automatic rebase: ' + (config.server && config.server.autoRebase ? 'on' : 'off') + ' (server.autoRebase).')),
      el('section', {class: 'card'}, el('h2', {}, 'Where the values come from'),
        sources.length === 0 ? el('p', {class: 'muted'}, 'Defaults only: no configuration file, no KILN_* environment variable.')
          : el('ol', {id: 'sources'}, sources.map(s => el('li', {}, el('code', {}, s)))),
        el('p', {class: 'muted'}, 'Later sources override earlier ones; whatever none sets is a default.')),
      el('section', {class: 'card'}, el('h2', {}, 'Effective configuration'), el('div', {id: 'config'}, tree(shown))));
  });
})();
