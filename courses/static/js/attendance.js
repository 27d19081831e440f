// Attendance on a phone: one tap cycles a student's mark; "Everyone present" fills in the students
// not marked yet (and can be undone); Save sends every mark at once with a PUT (idempotent, so
// sending twice does no harm). Offline, the marks stay on the page and on the phone
// (localStorage), shown as pending, and go out when the connection comes back.
(function () {
  "use strict";
  var form = document.querySelector("form[data-attendance]");
  if (!form) return;

  var ORDER = ["present", "late", "absent", "excused"];
  var labels = JSON.parse(document.getElementById("attendance-labels").textContent);
  var key = "attendance:" + form.dataset.lesson;
  var statusBox = document.getElementById("sync-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var saveBar = form.querySelector(".save-bar");
  var sending = false;
  var filled = [];  // the rows "Everyone present" filled in, until they are saved or undone

  document.documentElement.classList.add("js");

  function rows() { return Array.prototype.slice.call(form.querySelectorAll("li.mark")); }
  function current(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : null;
  }
  function show(row) {
    var value = current(row);
    var button = row.querySelector("button.cycle");
    button.textContent = value ? labels[value] : labels.unmarked;
    button.dataset.status = value || "";
  }
  function set(row, value) {
    row.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = radio.value === value;
    });
    show(row);
  }
  function text(name, count) {
    return (form.dataset[name] || "").replace("%(count)s", String(count));
  }
  function say(state, message) {
    statusBox.hidden = false;
    statusBox.className = "sync " + state;
    statusBox.textContent = message;
    form.classList.toggle("pending", state === "pending");
    keepFocusInView();
  }
  // The sticky Save bar covers the bottom of the screen: keyboard focus scrolls so that the
  // focused student stays above it (WCAG 2.2, focus not obscured).
  function keepFocusInView() {
    if (!saveBar) return;
    document.documentElement.style.scrollPaddingBlockEnd = (saveBar.offsetHeight + 16) + "px";
  }
  keepFocusInView();
  window.addEventListener("resize", keepFocusInView);

  rows().forEach(function (row) {
    var button = row.querySelector("button.cycle");
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = ORDER[(ORDER.indexOf(current(row)) + 1) % ORDER.length];
      set(row, next);
      // A mark changed by hand is the teacher's own: undo leaves it alone.
      filled = filled.filter(function (other) { return other !== row; });
    });
    show(row);
  });

  var everyone = form.querySelector("[data-everyone-present]");
  var everyoneLabel = everyone ? everyone.textContent : "";
  function offerUndo(on) {
    if (!everyone) return;
    everyone.textContent = on ? form.dataset.undoText : everyoneLabel;
    everyone.dataset.undo = on ? "1" : "";
  }
  if (everyone) {
    // With JavaScript, "everyone present" only fills in the students not marked yet; Save
    // sends them. Tapped again before saving, it takes back what it filled in.
    everyone.addEventListener("click", function (event) {
      event.preventDefault();
      if (everyone.dataset.undo) {
        filled.forEach(function (row) { set(row, null); });
        filled = [];
        offerUndo(false);
        say("pending", form.dataset.undoneText);
        return;
      }
      filled = rows().filter(function (row) { return !current(row); });
      filled.forEach(function (row) { set(row, "present"); });
      if (filled.length) offerUndo(true);
      say("pending", text("filledText", filled.length));
    });
  }

  function collect() {
    var marks = [];
    rows().forEach(function (row) {
      var value = current(row);
      if (value) marks.push({ enrollment: Number(row.dataset.enrollment), status: value });
    });
    var topic = form.querySelector("[name=topic]");
    return { marks: marks, topic: topic ? topic.value : "" };
  }

  function restore(payload) {
    var byEnrollment = {};
    payload.marks.forEach(function (mark) { byEnrollment[mark.enrollment] = mark.status; });
    rows().forEach(function (row) {
      var value = byEnrollment[row.dataset.enrollment];
      if (value) set(row, value);
    });
    var topic = form.querySelector("[name=topic]");
    if (topic && payload.topic !== undefined) topic.value = payload.topic;
  }

  function send() {
    var stored = localStorage.getItem(key);
    if (!stored || sending) return;
    sending = true;
    fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: stored
    }).then(function (response) {
      if (response.ok) {
        if (localStorage.getItem(key) === stored) localStorage.removeItem(key);
        filled = [];
        offerUndo(false);
        return response.json().then(function (body) {
          var roster = Array.isArray(body) ? body : (body.results || []);
          var unmarked = roster.filter(function (entry) { return !entry.status; }).length;
          if (unmarked) say("pending", text("stillToMarkText", unmarked));
          else say("saved", form.dataset.savedText || "Saved.");
        });
      }
      if (response.status === 400 || response.status === 409 || response.status === 403) {
        // The server refused these marks; sending them again would not help.
        localStorage.removeItem(key);
        return response.json().then(function (body) {
          say("error", body.detail || JSON.stringify(body));
        });
      }
      say("pending", form.dataset.pendingText || "Not sent yet: kept on this phone.");
    }).catch(function () {
      say("pending", form.dataset.pendingText || "Not sent yet: kept on this phone.");
    }).then(function () { sending = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    localStorage.setItem(key, JSON.stringify(collect()));
    say("pending", form.dataset.sendingText || "Sending…");
    send();
  });

  var pending = localStorage.getItem(key);
  if (pending) {
    restore(JSON.parse(pending));
    say("pending", form.dataset.pendingText || "Not sent yet: kept on this phone.");
    send();
  }
  window.addEventListener("online", send);
  setInterval(send, 10000);
})();
