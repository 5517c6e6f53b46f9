// Tollgate console: live updates over server-sent events. Pages work without it (forms are plain posts);
// with it, the part of the page marked data-live is replaced when the server says it changed.
(function () {
  'use strict';
  var main = document.querySelector('main[data-live]');
  if (!main || !window.EventSource) {
    return;
  }
  var region = main.querySelector('.live');
  var status = main.querySelector('.live-status');
  var pending = null;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Never replace a form the person is typing in; apply the update once they leave it.
  function busy() {
    var active = document.activeElement;
    if (active && region.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var fields = region.querySelectorAll('textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) {
        return true;
      }
    }
    return false;
  }

  function apply(html) {
    if (busy()) {
      pending = html;
      return;
    }
    pending = null;
    region.innerHTML = html;
    say('Updated ' + new Date().toLocaleTimeString() + '.');
  }

  region.addEventListener('focusout', function () {
    if (pending !== null) {
      setTimeout(function () {
        if (pending !== null) {
          apply(pending);
        }
      }, 0);
    }
  });

  var source = new EventSource(main.getAttribute('data-live'));
  source.addEventListener('update', function (e) { apply(e.data); });
  source.addEventListener('problem', function (e) { say(e.data); });
  source.addEventListener('signed-out', function () {
    source.close();
    window.location.assign('/console/sign-in?ended=1');
  });
  source.onopen = function () { say('Live.'); };
  source.onerror = function () { say('Reconnecting…'); };
}());
