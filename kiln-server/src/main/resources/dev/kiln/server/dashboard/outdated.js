// Outdated: images Kiln built whose base tag moved, a Rebase button per image and for all (admin),
// and the history of rebases and scheduled checks.
'use strict';
(function () {
  const {el, api} = Kiln;
  const HEADERS = ['Image', 'Platform', 'Base', 'Built on', 'Base now', 'Built', 'Status', ''];
  const sections = {};

  async function rebase(image, button) {
    button.disabled = true;
    try {
      const submitted = await api('/api/v1/rebase', {method: 'POST', body: {image: image.image, platform: image.platform}});
      Kiln.toast('Rebasing ' + image.image + ' (build ' + submitted.id.substring(0, 8) + ')');
      button.replaceWith(el('a', {href: '/builds/' + submitted.id, class: 'rebase-build'}, 'rebase build ' + submitted.id.substring(0, 8)));
    } catch (e) {
      button.disabled = false;
      Kiln.toast(e.message, true);
    }
  }

  function imagesTable(images) {
    const moved = images.filter(i => i.status === 'moved');
    const rows = images.map(i => {
      const action = Kiln.can('admin') && i.status === 'moved'
        ? el('button', {type: 'button', class: 'primary rebase', 'aria-label': 'Rebase ' + i.image, onclick: e => rebase(i, e.currentTarget)}, 'Rebase')
        : '';
      return Kiln.row(HEADERS, [Kiln.image(i.image), i.platform, Kiln.image(i.base), Kiln.digest(i.builtOn), Kiln.digest(i.baseNow), Kiln.time(i.builtAt),
        i.status === 'error' ? el('span', {class: 'status status-failed', title: i.error}, 'error: ' + i.error) : Kiln.status(i.status), action],
      {'data-image': i.image, 'data-status': i.status});
    });
    const all = Kiln.can('admin') && moved.length > 1
      ? el('button', {type: 'button', id: 'rebase-all', class: 'primary', onclick: e => {
        e.currentTarget.disabled = true;
        document.querySelectorAll('button.rebase').forEach(b => b.click());
      }}, 'Rebase all ' + moved.length)
      : null;
    return [el('p', {}, moved.length === 0 ? 'No image is on a base that moved.' : moved.length + ' of ' + images.length
      + ' images are on a base whose tag moved.', ' ', all),
    images.length === 0 ? el('p', {class: 'muted'}, 'Kiln has built no image on a base yet.')
      : Kiln.table('!Images Kiln built, with their base then and now', HEADERS, rows, {id: 'outdated', class: 'cards'})];
  }

  function historyTables(builds, schedules, config) {
    const rebases = builds.filter(b => b.kind === 'rebase');
    const buildHeaders = ['Submitted', 'Image', 'New digest', 'By', 'Status'];
    const outdatedSchedule = schedules.schedules.find(s => s.name === 'outdated');
    const autoRebase = config.server && config.server.autoRebase;
    const runHeaders = ['When', 'Found', 'Did'];
    return [el('h3', {}, 'Rebases'), rebases.length === 0 ? el('p', {class: 'muted'}, 'No rebase yet.')
      : Kiln.table('!Rebase builds, newest first', buildHeaders, rebases.map(b => Kiln.row(buildHeaders, [
        el('a', {href: '/builds/' + b.id}, Kiln.time(b.submittedAt)), Kiln.image(b.to), Kiln.digest(b.digest), b.submitter, Kiln.status(b.status)])),
      {id: 'rebases', class: 'cards'}),
    el('h3', {}, 'Scheduled checks'),
    el('p', {class: 'muted'}, outdatedSchedule ? 'Every ' + Kiln.period(outdatedSchedule.period)
      + (autoRebase ? ', rebasing what moved (server.autoRebase).' : '; rebases are left to you (server.autoRebase is off).')
      : 'No scheduled check (server.schedule.outdated).'),
    !outdatedSchedule || outdatedSchedule.lastRuns.length === 0 ? el('p', {class: 'muted'}, 'No scheduled check has run yet.')
      : Kiln.table('!Scheduled checks, newest first', runHeaders, outdatedSchedule.lastRuns.map(r => Kiln.row(runHeaders,
        [Kiln.time(r.startedAt), r.error ? el('span', {class: 'error'}, r.error) : r.found || '—', r.did || '—'])), {class: 'cards'})];
  }

  async function check(button) {
    button.disabled = true;
    sections.images.setAttribute('aria-busy', 'true');
    try {
      const [outdated, builds] = await Promise.all([api('/api/v1/outdated'), api('/api/v1/builds?limit=200&status=succeeded')]);
      const builtAt = {};
      builds.builds.forEach(b => { if (b.digest && !(b.digest in builtAt)) builtAt[b.digest] = b.finishedAt; });
      outdated.images.forEach(i => { i.builtAt = builtAt[i.digest] || null; });
      sections.images.replaceChildren(...imagesTable(outdated.images));
      sections.checked.replaceChildren('Checked ', Kiln.time(new Date().toISOString()));
    } finally {
      button.disabled = false;
      sections.images.removeAttribute('aria-busy');
    }
  }

  Kiln.start(async () => {
    sections.images = el('div', {id: 'outdated-images'});
    sections.history = el('div');
    sections.checked = el('span', {class: 'muted'});
    const checkButton = el('button', {type: 'button', id: 'check'}, 'Check bases now');
    checkButton.addEventListener('click', () => check(checkButton).catch(e => Kiln.toast(e.message, true)));
    Kiln.content().append(el('div', {class: 'toolbar'}, checkButton, sections.checked),
      el('section', {class: 'card'}, el('h2', {}, 'Images and their bases'), sections.images),
      el('section', {class: 'card'}, el('h2', {}, 'History'), sections.history));
    const [builds, schedules, config] = await Promise.all([api('/api/v1/builds?limit=200'), api('/api/v1/schedules'), api('/api/v1/config')]);
    sections.history.replaceChildren(...historyTables(builds.builds, schedules, config));
    await check(checkButton);
  });
})();
