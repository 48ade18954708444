/* The intake assistant's website widget. Embed with one tag:
 *   <script src="https://CONSOLE-HOST/widget.js" data-bot-url="https://RASA-HOST" defer></script>
 * Optional: data-title (the panel's heading), data-start (what a new conversation sends first, default "hi").
 * Plain JavaScript, no build step: the console only writes in the crisis lines as it serves this file
 * (bot/console/app.py, from bot/safety/resources.py), so the widget names the numbers the bot's replies do.
 * Everything lives in a shadow root, so the page's styles stay out and ours stay in. Message content is only ever set as text (never as HTML). The browser keeps one thing: the
 * conversation id, in local storage; the server re-sends the conversation's messages on reload.
 * Computers are shared: the widget never opens by itself, "End chat" forgets the conversation, and so does
 * the widget after the program's idle period without a message (the server sends it, and after that long it
 * starts a new conversation instead of showing the old one).
 */
(function () {
  "use strict";
  if (window.__iopIntakeWidget) return; // embedded twice: one widget
  window.__iopIntakeWidget = true;

  var script = document.currentScript;
  var assets = new URL(".", script.src);
  var botUrl = (script.dataset.botUrl || assets.origin).replace(/\/+$/, "");
  var title = script.dataset.title || "Chat with us";
  var startText = script.dataset.start || "hi";
  var STORE_KEY = "iop-intake-session";
  var idleMinutes = 30; // until the server says
  var CRISIS = __CRISIS_LINES__; // { lifeline: "...", emergency: "..." }, written in by the console
  var LINK = new RegExp("(" + /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/.source + ")|(" + /\b\d{3}-\d{3}-\d{4}\b/.source +
                        "|\\b" + CRISIS.lifeline + "\\b|\\b" + CRISIS.emergency + "\\b)", "g");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // Text with its web addresses and phone numbers as links; every piece is a text node.
  function richText(target, text) {
    var last = 0;
    text.replace(LINK, function (match, url, phone, offset) {
      target.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", {}, match);
      if (url) {
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      } else {
        link.href = "tel:" + phone.replace(/-/g, "");
      }
      target.appendChild(link);
      last = offset + match.length;
      return match;
    });
    target.appendChild(document.createTextNode(text.slice(last)));
  }

  var storage = {
    get: function () { try { return localStorage.getItem(STORE_KEY); } catch (e) { return null; } },
    set: function (id) { try { localStorage.setItem(STORE_KEY, id); } catch (e) { /* private mode */ } },
    forget: function () { try { localStorage.removeItem(STORE_KEY); } catch (e) { /* private mode */ } }
  };

  var host = el("div", { id: "iop-intake-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: new URL("widget.css", assets).href }));

  var launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false",
                                "aria-controls": "iop-panel" }, title);
  var panel = el("section", { id: "iop-panel", "class": "panel", role: "dialog", "aria-labelledby": "iop-title" });
  panel.hidden = true;
  var header = el("header");
  header.appendChild(el("h2", { id: "iop-title" }, title));
  var end = el("button", { type: "button", "class": "end" }, "End chat");
  var close = el("button", { type: "button", "class": "close", "aria-label": "Close chat" }, "\u00d7");
  header.appendChild(end);
  header.appendChild(close);
  var crisisLine = el("p", { "class": "crisis-line" });
  crisisLine.appendChild(document.createTextNode("In crisis? "));
  crisisLine.appendChild(el("a", { href: "tel:" + CRISIS.lifeline }, "Call"));
  crisisLine.appendChild(document.createTextNode(" or "));
  crisisLine.appendChild(el("a", { href: "sms:" + CRISIS.lifeline }, "text " + CRISIS.lifeline));
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Conversation",
                        tabindex: "0" });
  var typing = el("p", { "class": "typing", "aria-hidden": "true" });
  typing.appendChild(el("span"));
  typing.appendChild(el("span"));
  typing.appendChild(el("span"));
  typing.hidden = true;
  var status = el("p", { "class": "status", role: "status" });
  var form = el("form", { "class": "composer" });
  var label = el("label", { "for": "iop-input", "class": "visually-hidden" }, "Your message");
  var input = el("input", { id: "iop-input", type: "text", autocomplete: "off", maxlength: "1000",
                            placeholder: "Type your message" });
  var send = el("button", { type: "submit", "class": "send" }, "Send");
  [label, input, send].forEach(function (node) { form.appendChild(node); });
  [header, crisisLine, log, typing, status, form].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(panel);
  root.appendChild(launcher);

  var socket = null;
  var sessionId = null;
  var typingTimer = null;
  var idleTimer = null;
  var lastActivity = null; // when the last message went either way (ms)

  // Any message, either way, keeps the conversation; none for the idle period ends it. A reconnect is no
  // message: it keeps the time of the last one.
  function active(at) {
    lastActivity = at === undefined ? Date.now() : at;
    schedule();
  }

  function schedule() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (Date.now() - lastActivity >= idleMinutes * 60000) endChat();
      else schedule();
    }, Math.max(0, lastActivity + idleMinutes * 60000 - Date.now()));
  }

  // Forget the conversation in this browser (it stays with the team): nothing of it is left on screen or
  // in storage, and opening the chat again starts a new one.
  function endChat() {
    clearTimeout(idleTimer);
    lastActivity = null;
    storage.forget();
    if (socket) {
      socket.off();
      socket.disconnect();
      socket = null;
    }
    sessionId = null;
    log.textContent = "";
    status.textContent = "";
    input.value = "";
    showTyping(false);
    if (!panel.hidden) shut();
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function closeChoices() {
    log.querySelectorAll(".choices button").forEach(function (button) { button.disabled = true; });
  }

  function addUser(text) {
    log.appendChild(el("p", { "class": "msg user" }, text));
    scrollDown();
  }

  function addBot(message, answered) {
    var item = el("div", { "class": "msg bot" + (message.crisis ? " crisis" : "") });
    if (message.crisis) {
      item.setAttribute("role", "alert");
      item.appendChild(el("p", { "class": "crisis-title" }, "You deserve support right now"));
    }
    if (message.staff) item.appendChild(el("p", { "class": "who" }, message.staff + " (intake team)"));
    var body = el("p", { "class": "text" });
    richText(body, message.text || "");
    item.appendChild(body);
    if (message.crisis) {
      var actions = el("p", { "class": "crisis-actions" });
      actions.appendChild(el("a", { href: "tel:" + CRISIS.lifeline }, "Call " + CRISIS.lifeline));
      actions.appendChild(el("a", { href: "sms:" + CRISIS.lifeline }, "Text " + CRISIS.lifeline));
      actions.appendChild(el("a", { href: "tel:" + CRISIS.emergency }, "Call " + CRISIS.emergency));
      item.appendChild(actions);
    }
    var replies = message.quick_replies || [];
    if (replies.length) {
      var group = el("div", { "class": "choices", role: "group", "aria-label": "Answer options" });
      replies.forEach(function (reply) {
        var button = el("button", { type: "button" }, reply.title);
        button.disabled = !!answered;
        button.addEventListener("click", function () {
          if (button.disabled) return;
          button.setAttribute("aria-pressed", "true");
          deliver(reply.payload, reply.title);
          input.focus();
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    scrollDown();
  }

  function deliver(payload, shown) {
    if (!sessionId || !payload.trim()) return;
    active();
    closeChoices();
    if (shown !== null) addUser(shown);
    showTyping(true);
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
  }

  function show(messages, from) {
    messages.slice(from).forEach(function (message, i) {
      if (message.sender === "user") addUser(message.text);
      else addBot(message, from + i !== messages.length - 1);
    });
  }

  // After a reconnect: only what came meanwhile is new (and announced). After a reload: all of it, quietly.
  function renderHistory(messages) {
    var shown = log.querySelectorAll(".msg");
    var lastShown = shown.length ? shown[shown.length - 1].querySelector(".text") || shown[shown.length - 1] : null;
    for (var i = messages.length - 1; lastShown && i >= 0; i--) {
      if (messages[i].text === lastShown.textContent) {
        if (i + 1 < messages.length) closeChoices();
        show(messages, i + 1);
        return;
      }
    }
    log.setAttribute("aria-live", "off"); // re-shown history is not news
    log.textContent = "";
    show(messages, 0);
    setTimeout(function () { log.setAttribute("aria-live", "polite"); }, 0);
  }

  function connect() {
    socket = window.io(botUrl, { transports: ["websocket"], path: "/socket.io" });
    socket.on("connect", function () {
      status.textContent = "";
      socket.emit("session_request", { session_id: storage.get() });
    });
    socket.on("session_confirm", function (id, options) {
      var known = id === storage.get();
      if (options && options.idle_minutes > 0) idleMinutes = options.idle_minutes;
      if (!known || lastActivity === null) active(Date.now() - ((options && options.quiet_for) || 0) * 1000);
      else schedule();
      sessionId = id;
      storage.set(id);
      send.disabled = false;
      if (!known) {
        log.textContent = "";
        deliver(startText, null);
      }
    });
    socket.on("history", function (data) {
      if (data.session_id !== sessionId) return;
      if (data.messages.length) renderHistory(data.messages);
      else if (!log.childElementCount) deliver(startText, null);
    });
    socket.on("bot_uttered", function (message) {
      active();
      showTyping(false);
      addBot(message, false);
    });
    socket.on("session_expired", function () { socket.emit("session_request", { session_id: storage.get() }); });
    socket.on("disconnect", function () {
      send.disabled = true;
      status.textContent = "Connection lost. Reconnecting\u2026";
    });
  }

  function loadClient(then) {
    if (window.io) return then();
    var tag = el("script", { src: new URL("vendor/socket.io.min.js", assets).href });
    tag.onload = then;
    tag.onerror = function () { status.textContent = "The chat could not load. Please call us instead."; };
    document.head.appendChild(tag);
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    if (!socket) {
      send.disabled = true;
      status.textContent = "Connecting\u2026";
      loadClient(connect);
    }
    input.focus();
    scrollDown();
  }

  function shut() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", shut);
  end.addEventListener("click", endChat);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || send.disabled) return;
    input.value = "";
    deliver(text, text);
  });

  // Never opened by itself: on a shared computer the next person would see the last one's conversation.
  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
