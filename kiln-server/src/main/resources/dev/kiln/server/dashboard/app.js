// What every page shares: the session (who, role, CSRF token), API calls, DOM building without
// innerHTML, and the formats (sizes, times in the viewer's zone, durations, shortened digests).
'use strict';
const Kiln = (function () {
  const ROLES = ['read', 'build', 'admin'];
  let session = null;

  async function loadSession() {
    const response = await fetch('/api/v1/session', {credentials: 'same-origin', headers: {Accept: 'application/json'}});
    if (response.status === 401) {
      location.href = '/login?next=' + encodeURIComponent(location.pathname);
      throw new Error('not logged in');
    }
    session = await response.json();
    return session;
  }

  /** Whether the logged-in caller's role includes {@code role}. */
  function can(role) {
    return session !== null && ROLES.indexOf(session.role) >= ROLES.indexOf(role);
  }

  /** JSON from the API; a state-changing request carries the session's CSRF token. */
  async function api(path, options) {
    const opts = Object.assign({method: 'GET'}, options || {});
    const headers = {Accept: 'application/json'};
    if (opts.method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      if (session && session.csrf) headers['X-CSRF-Token'] = session.csrf;
    }
    const response = await fetch(path, {method: opts.method, credentials: 'same-origin', headers: headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body)});
    if (response.status === 401) {
      location.href = '/login?next=' + encodeURIComponent(location.pathname);
      throw new Error('not logged in');
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error((json && json.error) || response.status + ' ' + response.statusText);
    return json;
  }

  /** An element: el('td', {class: 'x', title: 'y'}, child, 'text', …); attributes starting with "on" are listeners. */
  function el(tag, attrs) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key.startsWith('on')) node.addEventListener(key.substring(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    });
    for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(c => append(node, c));
    else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function bytes(n) {
    if (n === null || n === undefined) return '—';
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MB';
    return (n / 1024 / 1024 / 1024).toFixed(2) + ' GB';
  }

  /** A time in the viewer's time zone; the full ISO value on hover. */
  function time(iso) {
    if (!iso) return el('span', {class: 'muted'}, '—');
    const date = new Date(iso);
    return el('time', {datetime: iso, title: date.toString()},
      date.toLocaleString(undefined, {year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short'}));
  }

  function duration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '—';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    const minutes = Math.floor(ms / 60000);
    return minutes + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }

  /** An ISO 8601 duration (PT1.5S, PT2M3S) in milliseconds. */
  function isoMillis(text) {
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text || '');
    if (!m) return null;
    return ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000;
  }

  /** An ISO 8601 period (PT6H, P1D) as people write it: 6h, 1d, 30m. */
  function period(text) {
    if (!text) return '—';
    return text.replace(/^P(T)?/, '').replace(/T/, '').toLowerCase();
  }

  function toast(message, error) {
    const box = document.getElementById('toast');
    box.textContent = message;
    box.className = error ? 'show error' : 'show';
    clearTimeout(box.timer);
    box.timer = setTimeout(() => { box.className = ''; }, 6000);
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const area = el('textarea', {'aria-hidden': 'true', class: 'offscreen'}, text);
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    toast('Copied ' + text);
  }

  function copyButton(text, label) {
    return el('button', {type: 'button', class: 'copy', 'aria-label': label || 'Copy ' + text, title: 'Copy ' + text,
      onclick: () => copy(text)}, 'Copy');
  }

  /** A digest shortened to its first 12 hex digits; the full value on hover and in the copy button. */
  function digest(value, withCopy) {
    if (!value) return el('span', {class: 'muted'}, '—');
    const hex = value.replace(/^sha256:/, '');
    const node = el('span', {class: 'digest'}, el('code', {title: value, 'data-full': value}, hex.substring(0, 12) + '…'));
    if (withCopy !== false) node.appendChild(copyButton(value, 'Copy digest ' + value));
    return node;
  }

  /** A reference that may wrap after each "/" (and nowhere else), so that a table column stays as wide as its longest part. */
  function breakable(reference) {
    return reference.split('/').flatMap((part, i) => i === 0 ? [part] : [el('wbr'), '/' + part]);
  }

  /** An image reference with its tag, shortened when it carries a digest. */
  function image(reference) {
    if (!reference) return el('span', {class: 'muted'}, '—');
    const at = reference.indexOf('@');
    return at < 0 ? el('span', {class: 'ref'}, breakable(reference))
      : el('span', {class: 'ref', title: reference}, breakable(reference.substring(0, at)), el('span', {class: 'muted'}, '@…'));
  }

  const LEVEL_NAMES = {store: 'store', daemon: 'daemon', mirror: 'mirror', registry: 'origin'};

  function level(name) {
    if (!name) return el('span', {class: 'muted'}, '—');
    return el('span', {class: 'level level-' + name, title: name === 'registry' ? 'the image\'s own registry' : 'cache level ' + name},
      LEVEL_NAMES[name] || name);
  }

  function status(name) {
    return el('span', {class: 'status status-' + name}, name);
  }

  function table(caption, headers, rows, attrs) {
    return el('div', {class: 'table-wrap'}, el('table', attrs || {},
      el('caption', {class: caption.startsWith('!') ? 'offscreen' : null}, caption.replace(/^!/, '')),
      el('thead', {}, el('tr', {}, headers.map(h => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, rows)));
  }

  /** A row whose cells carry their column's name, for the phone layout (each row a card). */
  function row(headers, cells, attrs) {
    return el('tr', attrs || {}, cells.map((cell, i) => el('td', {'data-label': headers[i]}, cell)));
  }

  function content() {
    return document.getElementById('content');
  }

  async function start(render) {
    const page = document.body.dataset.page;
    document.querySelectorAll('[data-nav]').forEach(a => {
      if (a.dataset.nav === page || (page === 'build' && a.dataset.nav === 'builds')) a.setAttribute('aria-current', 'page');
    });
    document.getElementById('logout').addEventListener('click', async () => {
      await api('/logout', {method: 'POST'}).catch(() => null);
      location.href = '/login';
    });
    const who = await loadSession();
    document.getElementById('who').textContent = who.name + ' (' + who.role + ')';
    if (!who.csrf) document.getElementById('logout').hidden = true;
    try {
      await render();
    } catch (e) {
      toast(e.message, true);
    }
  }

  return {api, can, el, breakable, bytes, time, duration, isoMillis, period, toast, copy, copyButton, digest, image, level, status, table, row,
    content, start};
})();
