// The dailies desk's page script: the project page's "create" form and a session's controls.
// Every write is a JSON POST with the sign-in's CSRF token; its answer is the session as it now
// is, drawn again. A session page's first items come in its HTML; the rest are read here.
"use strict";
(() => {
  const csrf = document.body.dataset.csrf;
  const data = JSON.parse(document.getElementById("desk-data").textContent || "{}");
  const one = (selector, root) => (root || document).querySelector(selector);
  const all = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  let done = 0;

  async function call(method, url, payload) {
    const reply = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    let answer = {};
    try { answer = await reply.json(); } catch (error) { answer = {}; }
    if (!reply.ok) throw new Error(answer.error || `The server answered ${reply.status}; try again.`);
    return answer;
  }

  // a cut file sent as the body, its name, pick and the session's name in the address
  async function sendCut(url, file, params) {
    const query = new URLSearchParams({ ...params, file: file.name });
    const reply = await fetch(`${url}?${query}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf },
      body: file,
    });
    let answer = {};
    try { answer = await reply.json(); } catch (error) { answer = {}; }
    if (!reply.ok) throw new Error(answer.error || `The server answered ${reply.status}; try again.`);
    return answer;
  }

  // what a cut reported, one line each: events left out, gaps, overlaps, shots removed
  function drawCutLines(list, report) {
    list.replaceChildren(...report.lines.map((line) => element("li", { class: "cut-line" }, line)));
    list.dataset.lines = String(report.lines.length);
  }

  function element(tag, attributes, text) {
    const made = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => made.setAttribute(name, value));
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // an ISO time as a datetime-local field shows it: the browser's own time zone
  function localTime(iso) {
    if (!iso) return "";
    const when = new Date(iso);
    return new Date(when.getTime() - when.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  // a session's badges as the server's session rows say (pages.py draws the same at first)
  function badges(session) {
    const found = [];
    if (session.today) found.push(element("span", { class: "badge today" }, "today"));
    found.push(session.is_open ? element("span", { class: "badge open" }, "open")
      : element("span", { class: "badge closed" }, "closed"));
    if (session.private) found.push(element("span", { class: "badge private" }, "private"));
    if (session.passphrase) found.push(element("span", { class: "badge" }, "passphrase"));
    return found;
  }

  function drawBadges(place, session) {
    const now = badges(session);
    const text = (nodes) => nodes.map((n) => n.textContent).join(" ");
    if (text(all(".badge", place)) === text(now)) return;
    all(".badge", place).forEach((badge) => badge.remove());
    now.forEach((badge) => place.append(" ", badge));
  }

  // the sessions listed on the home and project pages keep their badges as the sessions change
  // (closed, reopened, made private: read again every few seconds while the page is seen)
  const FOLLOW_MS = 4000;
  const MOST_FOLLOWED = 500;  // routes.MOST_FOLLOWED
  function followSessions() {
    if (!all("li.session-link").length) return;
    async function again() {
      // only the sessions listed are asked for (those "More sessions" added too): the work is
      // the page's, not the studio's
      const ids = all("li.session-link").slice(0, MOST_FOLLOWED).map((row) => row.dataset.sessionId).join(",");
      if (document.visibilityState === "visible") {
        try {
          const found = await call("GET", `/desk/api/sessions?ids=${encodeURIComponent(ids)}`);
          const byId = new Map(found.sessions.map((s) => [s.id, s]));
          all("li.session-link").forEach((row) => {
            const session = byId.get(row.dataset.sessionId);
            if (session) drawBadges(row, session);
          });
          document.body.dataset.followed = String(+(document.body.dataset.followed || 0) + 1);
        } catch (error) { /* the next round tries again */ }
      }
      setTimeout(again, FOLLOW_MS);
    }
    setTimeout(again, FOLLOW_MS);
  }

  // a project's sessions beyond those listed, a page at a time (newest first), on demand
  function sessionRow(session) {
    const row = element("li", { class: "session-link", "data-session-id": session.id });
    row.append(element("a", { href: `/desk/session/${session.id}` }, session.name || "(no name)"));
    badges(session).forEach((badge) => row.append(" ", badge));
    return row;
  }

  function moreSessions() {
    all("p.more-sessions").forEach((line) => {
      const button = one("button.more", line);
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const { projectId, offset } = line.dataset;
          const page = await call("GET", `/desk/api/sessions?project=${encodeURIComponent(projectId)}&offset=${offset}`);
          let list = line.previousElementSibling;
          if (!list || !list.matches("ul.sessions")) {
            if (list && list.matches("p.empty")) list.remove();
            list = element("ul", { class: "sessions" });
            line.before(list);
          }
          const listed = new Set(all("li.session-link", list).map((row) => row.dataset.sessionId));
          page.sessions.filter((s) => !listed.has(s.id)).forEach((s) => list.append(sessionRow(s)));
          one(".shown", line).textContent = String(all("li.session-link", list).length);
          if (page.next === null) button.remove();
          else line.dataset.offset = String(page.next);
        } catch (failure) { button.title = `Not loaded: ${failure.message}`; }
        button.disabled = false;
      });
    });
  }

  // -- the project page -----------------------------------------------------------------------
  function projectPage() {
    const form = one("form.create-session");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = one(".error", form);
      error.textContent = "";
      try {
        const made = await call("POST", `/desk/api/project/${form.dataset.projectId}/sessions`,
          { name: form.elements.name.value, private: form.elements.private.checked });
        window.location.assign(`/desk/session/${made.id}`);
      } catch (failure) { error.textContent = `Not created: ${failure.message}`; }
    });
    const cut = one("form.cut-upload");
    const shown = one("section.cut-report");
    cut.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = one(".error", cut);
      const button = one("button", cut);
      error.textContent = "";
      button.disabled = true;
      try {
        const made = await sendCut(`/desk/api/project/${cut.dataset.projectId}/cut`,
          cut.elements.file.files[0], { name: cut.elements.name.value, pick: cut.elements.pick.value,
            rate: cut.elements.rate.value });
        const report = made.report;
        one(".cut-summary", shown).textContent = `Made “${report.session}” in cut order `
          + `(revision ${report.revision}): ${report.items.length} item(s).`
          + (report.lines.length ? " The cut reported:" : " Every event matched.");
        drawCutLines(one(".cut-lines", shown), report);
        one("a.cut-open", shown).href = `/desk/session/${made.id}`;
        shown.hidden = false;
        shown.dataset.sessionId = made.id;
      } catch (failure) { error.textContent = `Not made: ${failure.message}`; }
      button.disabled = false;
    });
  }

  // -- a session ------------------------------------------------------------------------------
  function sessionPage() {
    const root = one("#session");
    const id = root.dataset.sessionId;
    const list = one("#desk-items");
    let state = data;

    const say = (text) => { one(".notice", root).textContent = text; one(".error", root).textContent = ""; };
    const fail = (text) => { one(".error", root).textContent = text; };

    async function write(verb, payload, what) {
      try {
        const written = await call("POST", `/desk/api/session/${id}/${verb}`, payload);
        // a write's answer is the session as it now is, without the project's other sessions
        // and the people to invite (unchanged by it): those the page read are kept
        state = { ...written, others: written.others ?? state.others, users: written.users ?? state.users };
        draw();
        say(what);
        done += 1;
        document.body.dataset.writes = String(done);
        return state;
      } catch (failure) {
        fail(`Not saved: ${failure.message}`);
        document.body.dataset.failures = String(+(document.body.dataset.failures || 0) + 1);
        return null;
      }
    }

    const cut = one("form.cut-revision", root);
    if (cut) cut.addEventListener("submit", async (event) => {
      event.preventDefault();
      const lines = one(".cut-lines", cut);
      try {
        const written = await sendCut(`/desk/api/session/${id}/cut`, cut.elements.file.files[0],
          { pick: cut.elements.pick.value, repick: cut.elements.repick.checked ? "1" : "0",
            rate: cut.elements.rate.value });
        state = { ...written, others: state.others, users: state.users };
        draw();
        const report = written.report;
        say(`Applied the cut's revision ${report.revision}: ${report.items.length} item(s), `
          + `${report.kept} kept, ${report.removed.length} removed.`);
        drawCutLines(lines, report);
        if (written.cut) {
          one(".cut-now", cut).textContent = `Made from the cut \u201c${written.cut.name}\u201d `
            + `(${written.cut.file}), revision ${written.cut.revision}.`;
        }
        cut.dataset.revision = String(report.revision);
      } catch (failure) { fail(`Not applied: ${failure.message}`); }
    });

    // the item's notes in a few words: "2 open · 1 addressed · 1 comment" (to-dos, comments)
    function notesBadge(notes) {
      const counts = notes || {};
      const said = [];
      if (counts.open) said.push(`${counts.open} open`);
      if (counts.addressed) said.push(`${counts.addressed} addressed`);
      if (counts.comment) said.push(`${counts.comment} comment${counts.comment === 1 ? "" : "s"}`);
      const badge = element("span", { class: "notes", title: "To-dos open, addressed by a newer version; comments" },
        said.length ? said.join(" \u00b7 ") : "no notes");
      badge.dataset.open = String(counts.open || 0);
      badge.dataset.addressed = String(counts.addressed || 0);
      badge.dataset.comment = String(counts.comment || 0);
      return badge;
    }

    function itemRow(item) {
      const row = element("li", { class: "item", "data-object-id": item.id });
      row.append(element("span", { class: "handle", title: "Drag to reorder" }, "\u22ee\u22ee"));
      row.append(element("span", { class: "label" }, item.label));
      row.append(element("span", { class: "meta" }, `${item.version.task || ""} ${item.version.status || ""}`));
      row.append(notesBadge(item.notes));
      if (state.manages) {
        const tools = element("span", { class: "tools" });
        tools.append(element("button", { type: "button", class: "up", title: "Move up" }, "\u2191"));
        tools.append(element("button", { type: "button", class: "down", title: "Move down" }, "\u2193"));
        tools.append(element("button", { type: "button", class: "remove", title: "Remove" }, "Remove"));
        row.append(tools);
      }
      return row;
    }

    function drawRules() {
      const rules = state.rules;
      const form = one("form.rules", root);
      if (!rules || !form) return;
      form.elements.passphrase_enabled.checked = rules.passphrase_enabled;
      form.elements.downloads.value = rules.downloads;
      form.elements.watermark.checked = rules.watermark;
      ["opens", "closes"].forEach((name) => {
        form.dataset[name] = localTime(rules[name]);
        form.elements[name].value = form.dataset[name];
      });
    }

    // a time as the reader's own clock says it, e.g. "Fri 5 Dec 2031, 18:00"
    function readable(iso) {
      if (!iso) return "";
      return new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
    }

    // what became of the newest invitation mail (the server's mail queue)
    function mailText(person) {
      const mail = person.mail;
      if (!state.mail) return "No mail from this server: copy the link and send it yourself.";
      if (!mail) return "No mail sent yet.";
      if (mail.state === "sent") return `E-mailed ${readable(mail.sent_at)}.`;
      if (mail.state === "failed") return `Not e-mailed: ${mail.error} (${mail.attempts} attempts; gave up). Send again, or copy the link.`;
      if (mail.attempts && mail.error) return `Not e-mailed yet: attempt ${mail.attempts} failed: ${mail.error}; trying again ${readable(mail.next_attempt)}.`;
      return "E-mail on its way\u2026";
    }

    function drawInvitees() {
      const listed = one("ul.invitees", root);
      one(".mail-note", root).hidden = !!state.mail;
      listed.replaceChildren(...(state.invitees || []).map((person) => {
        const row = element("li", { "data-invitee-id": person.id, "data-state": person.revoked ? "revoked" : "invited" });
        row.append(element("span", { class: "who" }, `${person.name} <${person.email}>`));
        if (person.revoked) {
          row.append(element("span", { class: "badge revoked" }, "revoked"));
          row.append(element("span", { class: "meta" }, " Their links no longer open the session. "));
          row.append(element("button", { type: "button", class: "invite-again" }, "Invite again"));
        } else {
          row.dataset.mail = person.mail ? person.mail.state : (state.mail ? "none" : "off");
          row.append(element("span", { class: "valid" }, ` valid until ${readable(person.valid_until)} `));
          const tools = element("span", { class: "invitee-tools" });
          tools.append(element("button", { type: "button", class: "copy-invitee-link" }, "Copy link"));
          tools.append(element("button", { type: "button", class: "send-again" }, "Send again"));
          tools.append(element("button", { type: "button", class: "revoke" }, "Revoke link"));
          row.append(tools);
          const mailClass = !person.mail ? "" : (person.mail.state === "queued" && person.mail.error ? "retrying" : person.mail.state);
          row.append(element("span", { class: `mail-state ${mailClass}` }, mailText(person)));
        }
        const link = element("input", { class: "invitee-link", readonly: "", "aria-label": `${person.name}'s link` });
        link.hidden = true;
        row.append(link);
        return row;
      }));
      watchMail();
    }

    // while an invitation mail is on its way, read the session again now and then to show what
    // became of it (nothing is read once every mail was sent or gave up)
    let mailTimer = null;
    function watchMail() {
      const waiting = (state.invitees || []).some((p) => !p.revoked && p.mail && (p.mail.state === "queued" || p.mail.state === "sending"));
      if (!waiting || mailTimer) return;
      mailTimer = setTimeout(async () => {
        mailTimer = null;
        try { state = await call("GET", `/desk/api/session/${id}`); draw(); }
        catch (failure) { fail(`Not loaded: ${failure.message}`); }
      }, 2000);
    }

    function drawOthers() {
      const select = one("form.search select[name=from]", root);
      const chosen = select.value;
      select.replaceChildren(element("option", { value: "" }, "(search this project)"),
        ...(state.others || []).map((s) => element("option", { value: s.id }, s.name)));
      select.value = chosen;
    }

    function drawUsers() {
      one("#desk-users", root).replaceChildren(...(state.users || []).map(
        (user) => element("option", { value: user.email, label: user.name })));
    }

    function draw() {
      list.replaceChildren(...state.items.map(itemRow));
      list.dataset.loaded = state.items.length === (state.total ?? state.items.length) ? "1" : "0";
      one(".count", root).textContent = `(${state.total ?? state.items.length})`;
      root.dataset.state = state.session.is_open ? "open" : "closed";
      one(".toggle-open", root).textContent = state.session.is_open ? "Close session" : "Reopen session";
      one(".toggle-private", root).textContent = state.session.private ? "Open it to its room link" : "Make private";
      drawBadges(one(".badges", root), state.session);
      one("h1").textContent = state.session.name;
      document.title = state.session.name;
      all(".manage", root).forEach((part) => { part.hidden = !state.manages; });
      // presenting: for those who manage it, while it is open (a closed session cannot be)
      one("a.present", root).hidden = !state.manages || !state.session.is_open;
      one(".watch-only", root).hidden = state.manages;
      if (state.manages) { drawRules(); drawInvitees(); drawOthers(); drawUsers(); }
    }

    function order() { return all("li.item", list).map((row) => row.dataset.objectId); }

    async function sendOrder(before) {
      const now = order();
      if (now.join() === before.join()) return;
      await write("order", { object_ids: now }, "Order saved.");
    }

    // dragging by the handle (pointer events: a mouse, a pen or a finger)
    let dragging = null;
    let before = [];
    list.addEventListener("pointerdown", (event) => {
      const handle = event.target.closest(".handle");
      if (!handle || !state.manages || list.dataset.loaded !== "1") return;
      event.preventDefault();
      dragging = handle.closest("li.item");
      before = order();
      dragging.classList.add("dragging");
    });
    document.addEventListener("pointermove", (event) => {
      if (!dragging) return;
      const under = document.elementFromPoint(event.clientX, event.clientY);
      const target = under && under.closest("#desk-items li.item");
      if (!target || target === dragging) return;
      const box = target.getBoundingClientRect();
      list.insertBefore(dragging, event.clientY < box.top + box.height / 2 ? target : target.nextSibling);
    });
    document.addEventListener("pointerup", () => {
      if (!dragging) return;
      dragging.classList.remove("dragging");
      dragging = null;
      sendOrder(before);
    });

    list.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || list.dataset.loaded !== "1") return; // the whole list first
      const row = button.closest("li.item");
      const was = order();
      if (button.classList.contains("remove")) {
        write("remove", { object_ids: [row.dataset.objectId] }, "Removed.");
      } else if (button.classList.contains("up") && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling); sendOrder(was);
      } else if (button.classList.contains("down") && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row); sendOrder(was);
      }
    });

    one("form.rename", root).addEventListener("submit", (event) => {
      event.preventDefault();
      write("rename", { name: event.target.elements.name.value }, "Renamed.");
    });

    one(".toggle-private", root).addEventListener("click", () => {
      const making = !state.session.private;
      write("private", { private: making }, making
        ? "Private: its room link no longer opens it."
        : "Not private: its room link opens it again.");
    });

    // the session's state as others change it (closed on another desk, made private…)
    setInterval(async () => {
      if (document.visibilityState !== "visible" || dragging) return;
      try {  // the session's own row; the whole view is read again only when it changed
        const [row] = (await call("GET", `/desk/api/sessions?ids=${id}`)).sessions;
        if (row && (row.is_open !== state.session.is_open || row.private !== state.session.private
            || row.name !== state.session.name)) {
          state = await call("GET", `/desk/api/session/${id}`);
          draw();
        }
      } catch (error) { /* the next round tries again */ }
    }, FOLLOW_MS);

    one(".toggle-open", root).addEventListener("click", () => {
      const opening = !state.session.is_open;
      write("open", { open: opening }, opening ? "Reopened." : "Closed.");
    });

    const search = one("form.search", root);
    const results = one("ul.results", search);
    search.addEventListener("submit", async (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      ["sequence", "shot", "task", "status", "asset", "from"].forEach((name) => {
        if (search.elements[name].value) query.set(name, search.elements[name].value);
      });
      if (search.elements.latest.checked) query.set("latest", "1");
      try {
        const found = await call("GET", `/desk/api/project/${root.dataset.projectId}/versions?${query}`);
        const present = new Set(state.items.map((item) => item.version.version_id));
        results.replaceChildren(...found.versions.map((version) => {
          const row = element("li", { "data-version-id": version.version_id });
          const boxId = `pick-${version.version_id}`;
          const box = element("input", { type: "checkbox", value: version.version_id, id: boxId });
          box.checked = !present.has(version.version_id);
          box.disabled = present.has(version.version_id);
          const text = `${version.shot ? version.shot + " / " : ""}${version.asset} v${String(version.number).padStart(3, "0")}`;
          // the version's name is the box's label: clicking it ticks the box, a reader names it
          const label = element("label", { for: boxId, class: "pick" }, text);
          const meta = element("span", { class: "meta" }, `${version.task || ""} ${version.status || ""}`.trim());
          if (box.disabled) meta.textContent += " (in the session)";
          row.append(box, label, meta);
          return row;
        }));
        results.dataset.searched = String(+results.dataset.searched + 1);
        one(".add-selected", search).disabled = !found.versions.length;
        say(`${found.versions.length} versions found.`);
      } catch (failure) { fail(`Not searched: ${failure.message}`); }
    });
    one(".add-selected", search).addEventListener("click", async () => {
      const chosen = all("input[type=checkbox]:checked:not(:disabled)", results).map((box) => box.value);
      if (!chosen.length) { fail("Tick the versions to add first."); return; }
      const after = await write("add", { version_ids: chosen }, `Added ${chosen.length}.`);
      if (after) all("input[type=checkbox]:checked", results).forEach((box) => { box.checked = false; box.disabled = true; });
    });

    const invite = one("form.invite", root);
    invite.addEventListener("submit", async (event) => {
      event.preventDefault();
      const person = { email: invite.elements.email.value };
      if (invite.elements.name.value) person.name = invite.elements.name.value;
      const after = await write("invite", { people: [person] }, "Invited.");
      if (after) {
        invite.reset();
        say(after.mailed ? `Invited: ${person.email} gets the link by e-mail.` :
          after.invited && after.invited.length ? `Invited. This server sends no mail: copy the link and send it to ${person.email} yourself.` :
            `${person.email} was already invited: "Send again" mails a new link.`);
      }
    });

    async function showLink(row, url) {
      const field = one("input.invitee-link", row);
      field.value = url;
      field.hidden = false;
      field.select();
      try { await navigator.clipboard.writeText(url); say("Link copied: send it to them yourself."); }
      catch (error) { say("Link ready: copy it from the box and send it to them yourself."); }
    }

    one("ul.invitees", root).addEventListener("click", async (event) => {
      const row = event.target.closest("li[data-invitee-id]");
      const button = event.target.closest("button");
      if (!row || !button) return;
      const invitee = row.dataset.inviteeId;
      if (button.classList.contains("revoke")) {
        write("revoke", { invitee_id: invitee }, "Their links are revoked.");
      } else if (button.classList.contains("send-again") || button.classList.contains("invite-again")) {
        const again = button.classList.contains("invite-again");
        const after = await write("send", { invitee_id: invitee }, again ? "Invited again." : "Sent again.");
        if (after && after.mailed) say(again ? "Invited again: a new link is on its way by e-mail." : "A new link is on its way by e-mail.");
        else if (after && after.url) await showLink(one(`li[data-invitee-id="${invitee}"]`, root), after.url);
      } else if (button.classList.contains("copy-invitee-link")) {
        try {
          const answer = await call("POST", `/desk/api/session/${id}/invitee_link`, { invitee_id: invitee });
          await showLink(row, answer.url);
        } catch (failure) { fail(`No link: ${failure.message}`); }
      }
    });

    const rules = one("form.rules", root);
    rules.addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = rules.elements;
      const payload = { downloads: fields.downloads.value, watermark: fields.watermark.checked };
      if (fields.passphrase.value) payload.passphrase = fields.passphrase.value;
      else if (!fields.passphrase_enabled.checked && state.rules.passphrase_enabled) payload.passphrase_enabled = false;
      ["opens", "closes"].forEach((name) => {
        const value = fields[name].value;
        if (value && value !== rules.dataset[name]) payload[name] = new Date(value).toISOString();
      });
      write("rules", payload, "Client rules saved.").then((after) => { if (after) fields.passphrase.value = ""; });
    });
    one(".revoke-all", rules).addEventListener("click", () => {
      write("revoke", {}, "Every client link made before now is revoked.");
    });

    one(".copy-link", root).addEventListener("click", async () => {
      try {
        const answer = await call("POST", `/desk/api/session/${id}/link`, {});
        const field = one(".room-link", root);
        field.value = answer.url;
        field.hidden = false;
        field.select();
        try { await navigator.clipboard.writeText(answer.url); say("Room link copied."); }
        catch (error) { say("Room link ready: copy it from the box."); }
      } catch (failure) { fail(`No link: ${failure.message}`); }
    });

    const audit = one("section.audit", root);
    const auditFilter = one("form.audit-filter", audit);
    function fillChoices(select, choices, key) {
      const chosen = select.value;
      const first = select.options[0];
      select.replaceChildren(first, ...choices.map((c) => element("option", { value: c[key] }, c.name)));
      select.value = chosen;
    }
    async function showAudit() {
      const query = new URLSearchParams();
      ["who", "act"].forEach((name) => { if (auditFilter.elements[name].value) query.set(name, auditFilter.elements[name].value); });
      try {
        const answer = await call("GET", `/desk/api/session/${id}/audit?${query}`);
        one("tbody", audit).replaceChildren(...answer.entries.map((entry) => {
          const row = element("tr", { "data-act": entry.act });
          row.append(element("td", { class: "time" }, entry.time), element("td", { class: "sentence" }, entry.sentence));
          return row;
        }));
        fillChoices(auditFilter.elements.who, answer.people, "who");
        fillChoices(auditFilter.elements.act, answer.acts, "act");
        one(".audit-csv", audit).href = `/desk/session/${id}/audit.csv?${query}`;
        audit.hidden = false;
        audit.dataset.rows = String(answer.entries.length);
        audit.dataset.shown = String(+(audit.dataset.shown || 0) + 1);
      } catch (failure) { fail(`No audit trail: ${failure.message}`); }
    }
    one(".show-audit", root).addEventListener("click", showAudit);
    auditFilter.addEventListener("change", showAudit);

    draw();
    call("GET", `/desk/api/session/${id}`).then((full) => { state = full; draw(); })
      .catch((failure) => fail(`Not loaded: ${failure.message}`));
  }

  // The Mail page: the signed-in person's own digests, on or off (saved as it is ticked).
  function mailPage() {
    const box = one("#mail-digests");
    const said = one("#mail-state");
    const show = (state) => {
      box.checked = !!state.digests;
      said.textContent = state.digests ? "Digests are on." : "Digests are off: you get no digest mail.";
    };
    show(data);
    box.addEventListener("change", async () => {
      box.disabled = true;
      try {
        show(await call("POST", "/desk/api/mail", { digests: box.checked }));
      } catch (failure) {
        box.checked = !box.checked;
        said.textContent = `Not saved: ${failure.message}`;
      } finally {
        box.disabled = false;
      }
    });
  }

  if (document.body.dataset.page === "project") projectPage();
  if (document.body.dataset.page === "project" || document.body.dataset.page === "home") {
    moreSessions();
    followSessions();
  }
  if (document.body.dataset.page === "session") sessionPage();
  if (document.body.dataset.page === "mail") mailPage();
})();
