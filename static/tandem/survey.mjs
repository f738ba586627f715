// Saving a partly answered survey in this browser only (DESIGN.md: a response saved to finish later is
// kept on the device, never on the server, and cleared on submit and sign-out).
//
// Each draft is stored under "tandem.survey.<wave id>" as {owner, answers}, where owner is an opaque
// mark of the person and their session (from the page) and answers maps a question's field name to its
// values. On a shared device, a draft that is not this person's in this session is deleted, never filled
// in: a draft lives no longer than the session it was written in (after an idle timeout, signing in again
// starts a new one). The pages say what to keep: the survey list names the waves still open to the
// person (every other draft goes); the thank-you, "already answered" and "closed" pages name a wave whose
// draft goes. Signing out clears every draft, and so does showing a sign-in page (nobody is signed in).
//
// A survey with more than one section is shown one section at a time ("Section 2 of 4", Back and
// Continue, Send on the last), all in the one form, so nothing leaves the browser before Send and the
// draft keeps every answer. Continue checks the section's required answers and lengths as the server
// will (the messages come from the page), and Send checks every section and shows the first with a
// problem; the server's check on sending is the one that counts, and if it finds a problem the page
// opens at the first section that has one. Each section is a browser history entry, so the phone's
// Back goes to the previous section. Without the script every section is on one page, as before.

import { ErrorSummary } from "../govuk/govuk-frontend.min.js";

const PREFIX = "tandem.survey.";
const FIELD = /^q\d+$/;
const SECTION_HASH = /^#section-(\d+)$/;

function openStorage() {
  try {
    const store = window.localStorage;
    store.getItem(PREFIX);
    return store;
  } catch (e) {
    return null; // storage turned off: the survey still works, it just cannot be saved
  }
}

const store = openStorage();

function draftKeys() {
  const keys = [];
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (key && key.startsWith(PREFIX)) keys.push(key);
  }
  return keys;
}

function read(key) {
  try {
    const draft = JSON.parse(store.getItem(key));
    return draft && typeof draft === "object" && draft.answers ? draft : null;
  } catch (e) {
    return null;
  }
}

function removeDrafts(shouldRemove) {
  for (const key of draftKeys()) {
    if (shouldRemove(key.slice(PREFIX.length), read(key))) store.removeItem(key);
  }
}

export function clearAllDrafts() {
  if (store) removeDrafts(() => true);
}

function forgetOtherPeoplesDrafts(owner) {
  removeDrafts((waveId, draft) => !draft || draft.owner !== owner);
}

function clearOnSignOut(root) {
  const url = root.dataset.signOutUrl;
  if (!url) return;
  for (const form of document.querySelectorAll("form")) {
    if (new URL(form.action, window.location.href).pathname === url) {
      form.addEventListener("submit", clearAllDrafts);
    }
  }
}

function fieldsOf(form) {
  return Array.from(form.elements).filter((el) => FIELD.test(el.name || ""));
}

function collect(form) {
  const answers = {};
  for (const el of fieldsOf(form)) {
    if (el.type === "radio" || el.type === "checkbox") {
      if (el.checked) (answers[el.name] ||= []).push(el.value);
    } else if (el.value) {
      answers[el.name] = [el.value];
    }
  }
  return answers;
}

function fill(form, answers) {
  const texts = [];
  for (const el of fieldsOf(form)) {
    const values = answers[el.name] || [];
    if (el.type === "radio" || el.type === "checkbox") {
      el.checked = values.includes(el.value);
    } else {
      el.value = values[0] || "";
      texts.push(el);
    }
  }
  // Once everything is filled in: updates each character count (and saves the whole form).
  for (const el of texts) el.dispatchEvent(new Event("input", { bubbles: true }));
}

// --- One section at a time ---------------------------------------------------------------------------

function questionsOf(section) {
  return Array.from(section.querySelectorAll("[data-question]"));
}

function answered(group) {
  const text = group.querySelector("textarea");
  if (text) return text.value.trim() !== "";
  return Array.from(group.querySelectorAll("input")).some((el) => el.checked);
}

function problemWith(group) {
  if (group.hasAttribute("data-required") && !answered(group)) return group.dataset.required;
  const text = group.querySelector("textarea");
  const max = Number(group.dataset.maxlength);
  if (text && max && text.value.trim().length > max) return group.dataset.tooLong;
  return "";
}

function errorOf(group) {
  return document.getElementById(`${group.dataset.field}-error`);
}

function setError(group, message) {
  // Marked up as the server marks it (templates/surveys/answering/_question.html).
  const id = `${group.dataset.field}-error`;
  errorOf(group)?.remove();
  const textarea = group.querySelector("textarea");
  const described = group.querySelector("fieldset") || textarea;
  const ids = (described.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== id);
  group.classList.toggle("govuk-form-group--error", Boolean(message));
  textarea?.classList.toggle("govuk-textarea--error", Boolean(message));
  if (message) {
    const p = document.createElement("p");
    p.id = id;
    p.className = "govuk-error-message";
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = "Error:";
    p.append(hidden, ` ${message}`);
    (textarea || group.querySelector(".govuk-radios, .govuk-checkboxes")).before(p);
    ids.push(id);
  }
  if (ids.length) described.setAttribute("aria-describedby", ids.join(" "));
  else described.removeAttribute("aria-describedby");
}

function errorsIn(section) {
  const out = [];
  for (const group of questionsOf(section)) {
    const error = errorOf(group);
    if (error) {
      out.push({ href: `#${group.dataset.firstId}`,
                 text: `Question ${group.dataset.question}: ${error.textContent.replace(/^\s*Error:\s*/, "")}` });
    }
  }
  return out;
}

function showErrorSummary(form, errors, note) {
  document.querySelector("[data-survey-errors]")?.remove();
  if (!errors.length) return;
  const make = (tag, className, text) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  };
  const summary = make("div", "govuk-error-summary");
  summary.dataset.module = "govuk-error-summary";
  summary.setAttribute("data-survey-errors", "");
  const alert = make("div");
  alert.setAttribute("role", "alert");
  const body = make("div", "govuk-error-summary__body");
  if (note) body.append(make("p", "govuk-body", note));
  const list = make("ul", "govuk-list govuk-error-summary__list");
  for (const error of errors) {
    const link = make("a", "", error.text);
    link.href = error.href;
    const item = make("li");
    item.append(link);
    list.append(item);
  }
  body.append(list);
  alert.append(make("h2", "govuk-error-summary__title", "There is a problem"), body);
  summary.append(alert);
  const column = form.closest(".govuk-grid-column-two-thirds") || form.parentElement;
  const backLink = column.querySelector(":scope > .govuk-back-link");
  if (backLink) backLink.after(summary);
  else column.prepend(summary);
  try {
    new ErrorSummary(summary); // focuses it, and its links move to the answer they are about
  } catch (e) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
}

function setUpPages(form) {
  const sections = Array.from(form.querySelectorAll("[data-survey-section]"));
  if (sections.length < 2) return null;
  if (form.tandemPager) return form.tandemPager; // this script loaded twice (from app.mjs too)
  form.classList.add("tandem-survey-paged");
  const last = sections.length;
  const intro = document.querySelector("[data-survey-intro]");
  const send = form.querySelector("[data-survey-send]");
  const submit = form.querySelector("[data-survey-submit]");
  const next = form.querySelector("[data-survey-continue]");
  const back = form.querySelector("[data-survey-back]");
  const title = document.title.replace(/^Error: /, "");
  const sentNote = document.querySelector("[data-survey-errors] .govuk-error-summary__body > p")?.textContent;
  const pager = { current: 1, started: false };
  form.tandemPager = pager;

  const show = (n, { focus = true, note = "" } = {}) => {
    pager.current = Math.min(Math.max(1, n), last);
    sections.forEach((section, i) => { section.hidden = i + 1 !== pager.current; });
    if (intro) intro.hidden = pager.current !== 1;
    if (send) send.hidden = pager.current !== last;
    submit.hidden = pager.current !== last;
    next.hidden = pager.current === last;
    back.hidden = pager.current === 1;
    const section = sections[pager.current - 1];
    const errors = errorsIn(section);
    document.title = (errors.length ? "Error: " : "") + title;
    showErrorSummary(form, errors, note);
    if (!errors.length && focus) {
      const heading = section.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    form.dispatchEvent(new CustomEvent("tandem:section", { detail: pager.current }));
  };
  const check = (section) => questionsOf(section).map((group) => {
    const problem = problemWith(group);
    setError(group, problem);
    return !problem;
  }).every(Boolean);
  pager.go = (n) => {
    if (n !== pager.current) window.history.pushState({ section: n }, "", `#section-${n}`);
    show(n);
  };

  // Continue is the form's first submit button, so Enter in a field means Continue, as it looks.
  back.addEventListener("click", () => pager.go(pager.current - 1));
  form.addEventListener("submit", (event) => {
    if (pager.current < last) {
      event.preventDefault();
      if (check(sections[pager.current - 1])) pager.go(pager.current + 1);
      else show(pager.current);
      return;
    }
    const first = sections.map(check).indexOf(false);
    if (first >= 0) {
      event.preventDefault();
      pager.go(first + 1);
    }
  });
  window.addEventListener("popstate", (event) => {
    const fromHash = window.location.hash.match(SECTION_HASH);
    show(event.state?.section || (fromHash ? Number(fromHash[1]) : 1));
  });

  // Where to open: at the first section with a problem the server found, else the one in the address
  // (a reload), else where the saved answers were left, else the first.
  pager.start = (saved) => {
    if (pager.started) return;
    pager.started = true;
    const withError = sections.findIndex((section) => errorsIn(section).length) + 1;
    const fromHash = window.location.hash.match(SECTION_HASH);
    const n = withError || (fromHash && Number(fromHash[1])) || saved || 1;
    window.history.replaceState({ section: n }, "", n > 1 ? `#section-${n}` : window.location.pathname);
    show(n, { focus: Boolean(withError), note: withError ? sentNote : "" });
  };
  return pager;
}

function setUpSurveyForm(form, pager) {
  const owner = form.dataset.draftOwner;
  const key = PREFIX + form.dataset.wave;
  const message = form.querySelector("[data-draft-message]");
  const restored = document.querySelector("[data-draft-restored]");
  const save = () => {
    const answers = collect(form);
    const section = pager ? pager.current : undefined; // where to open again
    if (Object.keys(answers).length) store.setItem(key, JSON.stringify({ owner, answers, section }));
    else store.removeItem(key);
  };
  const say = (text) => {
    if (message) message.textContent = text;
  };
  let savedSection = null;

  forgetOtherPeoplesDrafts(owner);
  if (form.hasAttribute("data-bound")) {
    save(); // shown again with an error: what was sent is the latest
  } else {
    const draft = read(key);
    if (draft && Object.keys(draft.answers).length) {
      fill(form, draft.answers);
      if (restored) restored.hidden = false;
      savedSection = Number(draft.section) || null;
    }
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("tandem:section", save);
  for (const el of document.querySelectorAll("[data-draft-note], [data-draft-save]")) el.hidden = false;
  form.querySelector("[data-draft-save]")?.addEventListener("click", () => {
    save();
    say("Your answers are saved on this device until you sign out. Come back to this survey on this device before then to finish it.");
  });
  restored?.querySelector("[data-draft-clear]")?.addEventListener("click", () => {
    fill(form, {});
    restored.hidden = true;
    if (pager && pager.current !== 1) pager.go(1);
    store.removeItem(key);
    say("Your saved answers have been cleared.");
    const first = fieldsOf(form)[0];
    if (first) first.focus();
  });
  return savedSection;
}

function setUpSurveyList(list) {
  const open = new Set((list.dataset.openWaves || "").split(/\s+/).filter(Boolean));
  const owner = list.dataset.draftOwner;
  removeDrafts((waveId, draft) => !open.has(waveId) || !draft || draft.owner !== owner);
  for (const tag of list.querySelectorAll("[data-draft-status]")) {
    if (read(PREFIX + tag.dataset.draftStatus)) {
      tag.textContent = "Started on this device";
      tag.classList.replace("govuk-tag--blue", "govuk-tag--light-blue");
    }
  }
}

function setUpDone(done) {
  forgetOtherPeoplesDrafts(done.dataset.draftOwner);
  store.removeItem(PREFIX + done.dataset.wave);
}

// Sections as pages work whether or not answers can be saved in this browser.
const pagedForm = document.querySelector("form[data-survey-pages]");
const pager = pagedForm ? setUpPages(pagedForm) : null;
let savedSection = null;
if (store) {
  const root = document.querySelector("[data-survey-form], [data-survey-list], [data-survey-done]");
  if (root) {
    clearOnSignOut(root);
    if (root.matches("[data-survey-form]")) savedSection = setUpSurveyForm(root, pager);
    else if (root.matches("[data-survey-list]")) setUpSurveyList(root);
    else setUpDone(root);
  }
}
pager?.start(savedSection);
