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

const PREFIX = "tandem.survey.";
const FIELD = /^q\d+$/;

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

function setUpSurveyForm(form) {
  const owner = form.dataset.draftOwner;
  const key = PREFIX + form.dataset.wave;
  const message = form.querySelector("[data-draft-message]");
  const restored = document.querySelector("[data-draft-restored]");
  const save = () => {
    const answers = collect(form);
    if (Object.keys(answers).length) store.setItem(key, JSON.stringify({ owner, answers }));
    else store.removeItem(key);
  };
  const say = (text) => {
    if (message) message.textContent = text;
  };

  forgetOtherPeoplesDrafts(owner);
  if (form.hasAttribute("data-bound")) {
    save(); // shown again with an error: what was sent is the latest
  } else {
    const draft = read(key);
    if (draft && Object.keys(draft.answers).length) {
      fill(form, draft.answers);
      if (restored) restored.hidden = false;
    }
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  for (const el of document.querySelectorAll("[data-draft-note], [data-draft-save]")) el.hidden = false;
  form.querySelector("[data-draft-save]")?.addEventListener("click", () => {
    save();
    say("Your answers are saved on this device until you sign out. Come back to this survey on this device before then to finish it.");
  });
  restored?.querySelector("[data-draft-clear]")?.addEventListener("click", () => {
    fill(form, {});
    store.removeItem(key);
    restored.hidden = true;
    say("Your saved answers have been cleared.");
    const first = fieldsOf(form)[0];
    if (first) first.focus();
  });
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

if (store) {
  const root = document.querySelector("[data-survey-form], [data-survey-list], [data-survey-done]");
  if (root) {
    clearOnSignOut(root);
    if (root.matches("[data-survey-form]")) setUpSurveyForm(root);
    else if (root.matches("[data-survey-list]")) setUpSurveyList(root);
    else setUpDone(root);
  }
}
