/* The PPS's phone form (worklist and task pages) when the network comes and goes.

   Each entry is sent to the field API with an id made here (client_id). If the network fails,
   the entry waits in localStorage and a banner says how many wait; they are sent when the
   connection returns (the `online` event and a periodic retry), oldest first. The server records
   a client_id once, so an entry sent twice (a retry whose first answer was lost, two tabs) still
   counts once. No inline script anywhere (Content-Security-Policy): what the page passes is in
   the data-* attributes of #verfak (templates/fieldwork/_verfak_root.html).

   The service worker (/verfak/sw.js) keeps the last copy of these pages (encrypted, for as long
   as the session lasts: fieldwork/offline.py) and the static files, so a reload without a
   connection still shows the page with its waiting entries. Signing out clears this site's
   storage; static/js/site.js asks first when entries still wait. */
(function () {
  "use strict";

  var root = document.getElementById("verfak");
  if (!root) return;
  var QUEUE = "verfak-queue-v1";
  var REJECTED = "verfak-rejected-v1";
  var RETRY_MS = 15000;
  var FIELDS = ["finding", "method", "visited_on", "deceased_on", "chosen_pair_id"];
  var banner = document.getElementById("verfak-queue");
  var rejectedList = document.getElementById("verfak-rejected");
  var msg = root.dataset;

  // --- storage ---------------------------------------------------------------------------------

  function read(key) {
    try {
      var value = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function write(key, items) {
    localStorage.setItem(key, JSON.stringify(items));
  }

  // Entries are sent as the user who made them: another account logging in on the same phone
  // neither sends nor counts them.
  function mine(items) {
    return items.filter(function (i) { return String(i.user) === String(msg.user); });
  }

  function enqueue(item) {
    var queue = read(QUEUE);
    queue.push(item);
    write(QUEUE, queue);
  }

  function dequeue(clientId) {
    // Read again: another tab may have changed the queue meanwhile.
    write(QUEUE, read(QUEUE).filter(function (i) { return i.body.client_id !== clientId; }));
  }

  // --- helpers ---------------------------------------------------------------------------------

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    h = h.join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function fieldOf(form, name) {
    return form.querySelector('[name$="-' + name + '"]');
  }

  // --- the form --------------------------------------------------------------------------------

  function entryBody(form) {
    var body = {};
    FIELDS.forEach(function (name) {
      var input = fieldOf(form, name);
      if (!input) return;
      var wrap = input.closest("[data-field]");
      var value = wrap && wrap.hidden ? "" : input.value;
      if (name === "chosen_pair_id") body[name] = value ? parseInt(value, 10) : null;
      else if (name === "deceased_on") body[name] = value || null;
      else body[name] = value;
    });
    body.client_id = uuid();
    return body;
  }

  // A column only some findings fill (the deceased date: MENINGGAL) is shown for those alone:
  // its field lists them in data-findings, from the findings table (fieldwork/findings.py).
  // Shown without JavaScript, hidden with it.
  function toggleColumns(form) {
    var finding = fieldOf(form, "finding");
    form.querySelectorAll("[data-findings]").forEach(function (input) {
      var wrap = input.closest("[data-field]");
      var takes = (input.dataset.findings || "").split(" ");
      if (finding && wrap) wrap.hidden = takes.indexOf(finding.value) < 0;
    });
  }

  function showErrors(form, errors) {
    var list = form.querySelector("[data-errors]");
    if (!list) return;
    list.textContent = "";
    (errors || []).forEach(function (e) {
      list.appendChild(el("li", "", (e.column ? e.column + ": " : "") + e.message));
    });
    list.hidden = !(errors && errors.length);
  }

  function status(form, text) {
    var node = form.querySelector("[data-status]");
    if (node) node.textContent = text || "";
  }

  // --- the rows --------------------------------------------------------------------------------

  function rows(taskId) {
    return document.querySelectorAll('[data-task-row="' + taskId + '"]');
  }

  function showTask(taskId, task) {
    rows(taskId).forEach(function (row) {
      var finding = row.querySelector('[data-cell="finding"]');
      var result = row.querySelector('[data-cell="result"]');
      if (finding) finding.textContent = task.finding_label || "";
      if (result) {
        result.textContent = "";
        result.appendChild(el("span", "badge " + task.result, task.result_label));
        result.appendChild(document.createTextNode(" "));
        result.appendChild(el("span", "small muted", task.note_label || ""));
      }
      row.removeAttribute("data-queued");
    });
  }

  function showQueued(item) {
    rows(item.task).forEach(function (row) {
      var finding = row.querySelector('[data-cell="finding"]');
      var result = row.querySelector('[data-cell="result"]');
      if (finding && item.label) finding.textContent = item.label;
      if (result) {
        result.textContent = "";
        result.appendChild(el("span", "badge pending", msg.msgQueued));
      }
      row.setAttribute("data-queued", "");
    });
  }

  function closeForm(form) {
    var details = form.closest("details");
    if (details) details.open = false;
  }

  // --- banner ----------------------------------------------------------------------------------

  function render() {
    var queue = mine(read(QUEUE));
    if (banner) {
      banner.textContent = "";
      if (queue.length) {
        banner.appendChild(el("strong", "", msg.msgWaiting.replace("__N__", queue.length)));
        banner.appendChild(el("span", "small", " " + msg.msgWaitingHint));
      }
      banner.hidden = queue.length === 0;
    }
    queue.forEach(showQueued);
    var rejected = mine(read(REJECTED));
    if (rejectedList) {
      rejectedList.textContent = "";
      rejected.forEach(function (item) {
        var li = el("li", "error", msg.msgRejected + ": " + item.messages.join("; ") + " ");
        var link = el("a", "", msg.msgOpen);
        link.href = item.page;
        li.appendChild(link);
        rejectedList.appendChild(li);
      });
      rejectedList.hidden = rejected.length === 0;
    }
  }

  // --- sending ---------------------------------------------------------------------------------

  function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(item.body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // An entry reached the server: the page's counters (templates/fieldwork/_worklist_counts.html)
  // ask for themselves again (htmx, hx-trigger="verfak:entry from:body").
  function counted() {
    document.body.dispatchEvent(new CustomEvent("verfak:entry"));
  }

  // Worth another try later: no answer, the server in trouble, or the session to renew.
  function retryable(answer) {
    return answer.status >= 500 || answer.status === 403 || answer.status === 429;
  }

  function messagesOf(answer) {
    var errors = (answer.data && answer.data.errors) || [];
    var list = errors.map(function (e) { return (e.column ? e.column + ": " : "") + e.message; });
    if (!list.length && answer.data && answer.data.detail) list.push(answer.data.detail);
    return list.length ? list : [msg.msgFailed + " (" + answer.status + ")"];
  }

  var flushing = null;

  async function flushQueue() {
    var queue = mine(read(QUEUE));
    for (var i = 0; i < queue.length; i++) {
      var item = queue[i];
      var answer;
      try {
        answer = await send(item);
      } catch (e) {
        break; // still no network: keep this one and the rest, in order
      }
      if (retryable(answer)) break;
      dequeue(item.body.client_id);
      if (answer.status === 200 || answer.status === 201) {
        showTask(item.task, answer.data);
        counted();
      } else {
        var rejected = read(REJECTED);
        rejected.push({ user: item.user, page: item.page, messages: messagesOf(answer) });
        write(REJECTED, rejected.slice(-20));
      }
    }
    render();
    if (mine(read(QUEUE)).length < queue.length) cachePage(true);
  }

  function flush() {
    if (!flushing) {
      flushing = flushQueue().finally(function () { flushing = null; });
    }
    return flushing;
  }

  function findingLabel(form) {
    var select = fieldOf(form, "finding");
    var option = select && select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }

  function submit(form) {
    var item = {
      url: form.dataset.api,
      page: form.dataset.page,
      task: form.dataset.task,
      user: msg.user,
      label: findingLabel(form),
      body: entryBody(form),
      at: Date.now(),
    };
    showErrors(form, []);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    function done() { if (button) button.disabled = false; }
    function queue() {
      enqueue(item);
      status(form, msg.msgQueued);
      closeForm(form);
      render();
    }
    // Entries already waiting go first: the server sees them in the order they were made.
    if (mine(read(QUEUE)).length) {
      queue();
      done();
      flush();
      return;
    }
    send(item).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) {
        showTask(item.task, answer.data);
        counted();
        status(form, answer.status === 201 ? msg.msgSent : msg.msgUnchanged);
        closeForm(form);
        cachePage(true);
      } else if (answer.status >= 500) {
        queue();
      } else {
        showErrors(form, (answer.data && answer.data.errors) || [
          { column: "", message: messagesOf(answer).join("; ") },
        ]);
      }
    }, queue).finally(done);
  }

  // --- offline copy of this page ---------------------------------------------------------------

  // The service worker keeps the copy, encrypted under the session's key (templates/fieldwork/
  // sw.js, fieldwork/offline.py): the page only asks it for a fresh one (after an entry
  // changed the page) and hears whether it was kept.
  function ask(worker, message) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data || {}); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // fresh: fetch the page again (an entry changed it); otherwise the copy the navigation left
  // will do, and only a page the worker did not open yet (the first visit) is fetched again.
  function cachePage(fresh) {
    if (!("serviceWorker" in navigator) || !msg.sw) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      var worker = registration.active;
      if (!worker) return;
      var cookie = document.cookie.match(/(?:^|;\s*)verfak_offline=([^;]+)/);
      worker.postMessage({ type: "marker", value: cookie ? decodeURIComponent(cookie[1]) : null });
      var urls = [location.href];
      document.querySelectorAll('link[rel="stylesheet"][href], script[src]').forEach(function (node) {
        urls.push(node.href || node.src);
      });
      var kept = fresh === true ? Promise.resolve({}) : ask(worker, { type: "kept", url: location.href });
      return kept.then(function (answer) {
        return answer.ok ? answer : ask(worker, { type: "keep", urls: urls });
      }).then(function (answer) {
        if (answer.ok) root.dataset.cached = "1";
      });
    }).catch(function () {});
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !msg.sw) return;
    navigator.serviceWorker.register(msg.sw).then(function () { return cachePage(false); }, function () {});
  }

  // --- start -----------------------------------------------------------------------------------

  document.querySelectorAll("form[data-verfak-entry]").forEach(function (form) {
    toggleColumns(form);
    var finding = fieldOf(form, "finding");
    if (finding) finding.addEventListener("change", function () { toggleColumns(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(form);
    });
  });
  if (rejectedList) {
    rejectedList.addEventListener("click", function (event) {
      if (event.target.tagName === "A") {
        write(REJECTED, read(REJECTED).filter(function (i) { return mine([i]).length === 0; }));
      }
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("storage", function (event) {
    if (event.key === QUEUE || event.key === REJECTED) render();
  });
  setInterval(function () {
    if (mine(read(QUEUE)).length && navigator.onLine !== false) flush();
  }, RETRY_MS);
  render();
  registerWorker();
  if (mine(read(QUEUE)).length) flush();

  // For the browser tests and the curious: the queue, and a way to send it now.
  window.verfak = {
    flush: flush,
    pending: function () { return mine(read(QUEUE)).length; },
    queue: function () { return mine(read(QUEUE)); },
  };
})();
