// carries the page the visitor wanted (?next=) through the login form
'use strict';
(function () {
  const next = new URLSearchParams(location.search).get('next');
  if (next && next.startsWith('/') && !next.startsWith('//')) {
    document.getElementById('next').value = next;
  }
})();
