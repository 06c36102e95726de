// The simulator's web chat: act as a persona, see the bot's replies live.
// Bot text is only ever placed with textContent; formatting comes from entities.
"use strict";

const FALLBACK_PERSONA = { user_id: 1000, label: "Guest", first_name: "Guest", description: "" };
const POLL_SECONDS = 25;

const el = {
  select: document.getElementById("persona-select"),
  description: document.getElementById("persona-description"),
  messages: document.getElementById("messages"),
  chat: document.getElementById("chat"),
  emptyNote: document.getElementById("empty-note"),
  typing: document.getElementById("typing"),
  replyKeyboard: document.getElementById("reply-keyboard"),
  form: document.getElementById("send-form"),
  input: document.getElementById("message-input"),
  toast: document.getElementById("toast"),
};

const state = {
  personas: [],
  userId: null,
  after: 0,
  generation: 0, // bumped on persona switch so an old poll loop stops
  controller: null,
  keyboard: null, // the reply keyboard now shown, if any
};

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json" },
  });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || `HTTP ${response.status}`);
  }
  return body;
}

let toastTimer = null;
function showToast(text) {
  el.toast.textContent = text;
  el.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.toast.hidden = true; }, 2500);
}

let typingTimer = null;
function showTyping() {
  el.typing.hidden = false;
  clearTimeout(typingTimer);
  // Telegram shows a chat action for about five seconds or until the next message.
  typingTimer = setTimeout(() => { el.typing.hidden = true; }, 5000);
}

function scrollToEnd() {
  el.chat.scrollTop = el.chat.scrollHeight;
}

// --- Formatting -------------------------------------------------------------

function wrapperFor(entity) {
  switch (entity.type) {
    case "bold": return document.createElement("strong");
    case "italic": return document.createElement("em");
    case "underline": return document.createElement("u");
    case "strikethrough": return document.createElement("s");
    case "code": return document.createElement("code");
    case "pre": {
      const pre = document.createElement("code");
      pre.className = "pre";
      return pre;
    }
    case "spoiler": {
      const spoiler = document.createElement("span");
      spoiler.className = "spoiler";
      spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
      return spoiler;
    }
    case "blockquote":
    case "expandable_blockquote": {
      const quote = document.createElement("span");
      quote.className = "quote";
      return quote;
    }
    case "text_link": {
      if (!/^(https?|tg):/i.test(entity.url || "")) return null;
      const link = document.createElement("a");
      link.href = entity.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    case "bot_command": {
      const command = document.createElement("span");
      command.className = "command";
      return command;
    }
    default: return null;
  }
}

// Entity offsets are UTF-16 code units, which is exactly how JavaScript indexes strings.
function formattedText(text, entities) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities) {
    cuts.add(e.offset);
    cuts.add(e.offset + e.length);
  }
  const points = [...cuts].filter((p) => p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const e of entities) {
      if (e.offset <= start && e.offset + e.length >= end) {
        const wrapper = wrapperFor(e);
        if (wrapper) {
          wrapper.appendChild(node);
          node = wrapper;
        }
      }
    }
    fragment.appendChild(node);
  }
  return fragment;
}

// --- Rendering --------------------------------------------------------------

function fileUrl(fileId) {
  return `/sim/files/${encodeURIComponent(fileId)}`;
}

function mediaElement(message) {
  if (message.photo) {
    const img = document.createElement("img");
    img.className = "photo";
    img.alt = "Photo";
    img.src = fileUrl(message.photo[message.photo.length - 1].file_id);
    return img;
  }
  if (message.sticker) {
    const sticker = document.createElement("div");
    sticker.className = "sticker";
    sticker.textContent = message.sticker.emoji || "Sticker";
    return sticker;
  }
  if (message.voice) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = fileUrl(message.voice.file_id);
    return audio;
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.href = fileUrl(message.document.file_id);
    link.download = message.document.file_name || "file";
    link.textContent = message.document.file_name || "Document";
    return link;
  }
  return null;
}

function inlineKeyboard(message) {
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  if (rows.length === 0) return null;
  const keyboard = document.createElement("div");
  keyboard.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "inline-row";
    for (const button of row) {
      let node;
      if (button.url) {
        node = document.createElement("a");
        node.href = /^(https?|tg):/i.test(button.url) ? button.url : "#";
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      } else {
        node = document.createElement("button");
        node.type = "button";
        node.addEventListener("click", () => press(message.message_id, button.callback_data));
      }
      node.className = "inline-button";
      node.textContent = button.text;
      line.appendChild(node);
    }
    keyboard.appendChild(line);
  }
  return keyboard;
}

// A bot's t.me deep link (an invite, an event) opens nowhere here: offer to open it as one of
// the other people, which is what tapping it in their Telegram does (/start with its payload).
const DEEP_LINK = /https:\/\/t\.me\/\w+\?start=([A-Za-z0-9_-]{1,64})/g;

function openAs(persona, payload) {
  el.select.value = String(persona.user_id);
  selectPersona(persona.user_id);
  sendText(`/start ${payload}`);
}

function deepLinkButtons(text) {
  const payloads = [...new Set([...text.matchAll(DEEP_LINK)].map((match) => match[1]))];
  const others = state.personas.filter((p) => p.user_id !== state.userId);
  if (payloads.length === 0 || others.length === 0) return null;
  const keyboard = document.createElement("div");
  keyboard.className = "inline-keyboard";
  for (const payload of payloads) {
    const line = document.createElement("div");
    line.className = "inline-row";
    for (const persona of others) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "inline-button deep-link";
      button.textContent = `Open the link as ${persona.first_name}`;
      button.addEventListener("click", () => openAs(persona, payload));
      line.appendChild(button);
    }
    keyboard.appendChild(line);
  }
  return keyboard;
}

function bubble(message) {
  const item = document.createElement("li");
  item.className = `bubble ${message.from_bot ? "bot" : "user"}`;
  item.dataset.messageId = String(message.message_id);
  const media = mediaElement(message);
  if (media) item.appendChild(media);
  const text = message.text ?? message.caption;
  if (text) {
    const body = document.createElement("div");
    body.className = "text";
    body.appendChild(formattedText(text, message.entities || message.caption_entities || []));
    item.appendChild(body);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(message.date * 1000);
  meta.textContent = time.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })
    + (message.edited ? " · edited" : "");
  item.appendChild(meta);
  const keyboard = inlineKeyboard(message);
  if (keyboard) item.appendChild(keyboard);
  const links = message.from_bot && text ? deepLinkButtons(text) : null;
  if (links) item.appendChild(links);
  return item;
}

function findBubble(messageId) {
  return el.messages.querySelector(`[data-message-id="${messageId}"]`);
}

function updateEmptyNote() {
  el.emptyNote.hidden = el.messages.querySelector(".bubble.bot") !== null;
}

function renderReplyKeyboard() {
  el.replyKeyboard.replaceChildren();
  const rows = (state.keyboard && state.keyboard.keyboard) || [];
  el.replyKeyboard.hidden = rows.length === 0;
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "chip-row";
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip reply-button";
      chip.textContent = label;
      chip.addEventListener("click", () => sendText(label));
      line.appendChild(chip);
    }
    el.replyKeyboard.appendChild(line);
  }
}

function trackReplyKeyboard(message) {
  if (message.from_bot && message.reply_keyboard) {
    state.keyboard = message.reply_keyboard.keyboard ? message.reply_keyboard : null;
  } else if (!message.from_bot && state.keyboard && state.keyboard.one_time_keyboard) {
    state.keyboard = null;
  } else {
    return;
  }
  renderReplyKeyboard();
}

function applyEvent(event, live) {
  if (event.type === "message") {
    const existing = findBubble(event.message.message_id);
    const node = bubble(event.message);
    if (existing) existing.replaceWith(node); else el.messages.appendChild(node);
    trackReplyKeyboard(event.message);
    if (event.message.from_bot) el.typing.hidden = true;
  } else if (event.type === "edit") {
    const existing = findBubble(event.message.message_id);
    if (existing) existing.replaceWith(bubble(event.message));
  } else if (event.type === "delete") {
    const existing = findBubble(event.message_id);
    if (existing) existing.remove();
  } else if (event.type === "callback_answer" && live && event.text) {
    showToast(event.text);
  } else if (event.type === "chat_action" && live && event.action === "typing") {
    showTyping();
  }
}

// --- Talking to the simulator -----------------------------------------------

async function pollEvents(generation, userId) {
  let live = false; // the first batch replays history: no toasts or typing for it
  while (generation === state.generation) {
    try {
      const timeout = live ? POLL_SECONDS : 0;
      const result = await api(
        `/sim/chats/${userId}/events?after=${state.after}&timeout=${timeout}`,
        { signal: state.controller.signal },
      );
      if (generation !== state.generation) return;
      for (const event of result.events) applyEvent(event, live);
      if (result.events.length > 0) scrollToEnd();
      state.after = result.last_seq;
      live = true;
      updateEmptyNote();
    } catch (error) {
      if (generation !== state.generation) return;
      showToast("Lost the simulator, retrying…");
      await new Promise((resolve) => { setTimeout(resolve, 2000); });
    }
  }
}

async function userAction(path, body) {
  try {
    await api(`/sim/users/${state.userId}/${path}`, { method: "POST", body: JSON.stringify(body) });
  } catch (error) {
    showToast(error.message);
  }
}

function sendText(text) {
  return userAction("messages", { kind: "text", text, first_name: currentPersona().first_name });
}

function press(messageId, data) {
  return userAction("press", { message_id: messageId, data });
}

function currentPersona() {
  return state.personas.find((p) => p.user_id === state.userId) || FALLBACK_PERSONA;
}

function selectPersona(userId) {
  state.generation += 1;
  if (state.controller) state.controller.abort();
  state.controller = new AbortController();
  state.userId = userId;
  state.after = 0;
  state.keyboard = null;
  el.messages.replaceChildren();
  renderReplyKeyboard();
  el.typing.hidden = true;
  el.emptyNote.hidden = false;
  el.description.textContent = currentPersona().description || "";
  localStorage.setItem("coproduce-sim-persona", String(userId));
  pollEvents(state.generation, userId);
}

async function start() {
  try {
    state.personas = await api("/sim/personas");
  } catch (error) {
    showToast(error.message);
  }
  if (state.personas.length === 0) state.personas = [FALLBACK_PERSONA];
  for (const persona of state.personas) {
    const option = document.createElement("option");
    option.value = String(persona.user_id);
    option.textContent = `${persona.label} · ${persona.first_name}`;
    el.select.appendChild(option);
  }
  // ?persona=<user id> picks one directly (one tab per persona); else the last one used.
  const wanted = [
    Number(new URLSearchParams(window.location.search).get("persona")),
    Number(localStorage.getItem("coproduce-sim-persona")),
  ];
  const known = wanted.find((id) => state.personas.some((p) => p.user_id === id));
  const initial = known ?? state.personas[0].user_id;
  el.select.value = String(initial);
  selectPersona(initial);
}

el.select.addEventListener("change", () => selectPersona(Number(el.select.value)));

el.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el.input.value.trim();
  if (!text) return;
  el.input.value = "";
  sendText(text);
});

document.getElementById("start-chip").addEventListener("click", () => sendText("/start"));

for (const button of document.querySelectorAll(".sample-button")) {
  button.addEventListener("click", () => {
    userAction("messages", { kind: button.dataset.kind, first_name: currentPersona().first_name });
  });
}

start();
