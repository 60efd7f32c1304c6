/* evalkit: the page side of the forms (loaded in <head> by the evalkit Voila template).
 *
 * The kernel builds every widget and holds every rule; this script only does what a page must do itself,
 * and talks with the kernel through the DOM:
 *
 * - the XSRF cookie: Voila's own beacon that shuts a closed page's kernel down sends the `_xsrf` cookie's
 *   value, but Voila never sets that cookie, so the server refused it (403) and kernels piled up.  When the
 *   cookie is missing, a random one is set here (a double-submit token: only this origin can set it);
 * - the address: the kernel writes <span class="ek-address" data-query="draft=…">; the query goes into the
 *   address bar (history.replaceState), so a reload reopens the same draft or record;
 * - a lost connection: when the widgets are cut off from their kernel (ipywidgets marks them
 *   .jupyter-widgets-disconnected), a banner says so in Chinese with a one-click reconnect that reloads
 *   the page at the same place (the draft is already saved and in the address);
 * - focus: <span class="ek-focus" data-n="…" data-to="error|top"> makes the page scroll to the first
 *   message (.ek-bad) and focus its input, or to the top of the form; 「下一处」 (.ek-next) goes on;
 * - phone keyboards: number fields get inputmode numeric / decimal (boxes .ek-k-integer, .ek-k-decimal);
 * - the review queue's shortcuts: Alt+1 / Alt+2 / Alt+3 / Alt+N / Alt+P click 通过 / 存疑 / 退回 / 下一条 / 上一条;
 * - the device's assessor: <span class="ek-remember" data-assessor="…"> is kept in localStorage, and a
 *   hidden text box (.ek-device) is given the remembered name, which the kernel uses when none is chosen;
 * - photos: a thumbnail (button.ek-thumb, or a form's preview img.ek-photo-preview, made keyboard reachable
 *   here) opens the photo over the page in a lightbox (.ek-lightbox, a modal dialog), closed by Esc, a click
 *   or its 关闭 button; focus goes to 关闭 and back to the thumbnail afterwards.  No new tab, nothing fetched.
 */
(function () {
  "use strict";
  var STORE = "evalkit.assessor";
  var SCROLL = "evalkit.scroll:";

  if (!/(^|;\s*)_xsrf=/.test(document.cookie)) {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var token = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    document.cookie = "_xsrf=" + token + "; path=/; SameSite=Strict";
  }
  document.documentElement.lang = "zh-CN";
  // a link with ?token= has logged this browser in (the cookie now carries the session): take the token
  // out of the address bar, so that it is neither bookmarked, nor shared, nor kept in the history
  var first = new URLSearchParams(location.search);
  if (first.has("token")) {
    first.delete("token");
    var rest = first.toString();
    history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }

  function scroller() {
    var cells = document.getElementById("rendered_cells");
    if (cells && cells.scrollHeight > cells.clientHeight + 1 && getComputedStyle(cells).overflowY !== "visible") {
      return cells;
    }
    return document.scrollingElement || document.documentElement;
  }

  function visible(el) {
    return el && el.offsetParent !== null;
  }

  // ---------------------------------------------------------------- the address
  var lastQuery = null;
  function syncAddress() {
    var spans = document.querySelectorAll(".ek-address[data-query]");
    if (!spans.length) return;
    var query = spans[spans.length - 1].getAttribute("data-query");
    if (query === lastQuery) return;
    lastQuery = query;
    var params = new URLSearchParams(query);
    params.delete("token");  // the login cookie carries the session: the token stays out of the address
    var search = params.toString();
    var url = location.pathname + (search ? "?" + search : "");
    if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
  }

  // ---------------------------------------------------------------- a lost connection
  var banner = null;
  function lost() {
    return document.querySelector(".jupyter-widgets-disconnected") !== null;
  }
  function showBanner() {
    if (banner) return;
    banner = document.createElement("div");
    banner.className = "ek-offline";
    banner.setAttribute("role", "alert");
    var saved = document.querySelector(".ek-form .ek-field") ? "已填内容保存在草稿中" : "请重新连接后继续";
    banner.innerHTML = "<span>⚠ 连接已断开，" + saved + "。</span>";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ek-reconnect";
    button.textContent = "重新连接";
    button.addEventListener("click", reconnect);
    banner.appendChild(button);
    document.body.appendChild(banner);
    document.body.classList.add("ek-is-offline");
  }
  function reconnect() {
    try {
      sessionStorage.setItem(SCROLL + location.pathname + location.search, String(scroller().scrollTop));
    } catch (e) { /* private mode: the page still reloads */ }
    location.reload();
  }
  var restored = false;
  function restoreScroll() {
    if (restored || !document.querySelector(".ek-form .ek-status")) return;
    restored = true;
    var key = SCROLL + location.pathname + location.search;
    var top = null;
    try { top = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { top = null; }
    if (top !== null) setTimeout(function () { scroller().scrollTop = Number(top); }, 50);
  }

  // ---------------------------------------------------------------- focus on the first error
  var lastFocus = null;
  function bad() {
    return Array.prototype.filter.call(document.querySelectorAll(".ek-bad"), visible);
  }
  function focusBox(box) {
    box.scrollIntoView({block: "center"});
    var input = box.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])");
    if (input) {
      try { input.focus({preventScroll: true}); } catch (e) { input.focus(); }
    }
  }
  function syncFocus() {
    var spans = document.querySelectorAll(".ek-focus[data-n]");
    if (!spans.length) return;
    var span = spans[spans.length - 1];
    var n = span.getAttribute("data-n");
    if (n === lastFocus) return;
    lastFocus = n;
    if (span.getAttribute("data-to") === "top") {
      var form = document.querySelector(".ek-form");
      if (form) form.scrollIntoView({block: "start"});
      return;
    }
    var boxes = bad();
    if (boxes.length) focusBox(boxes[0]);
  }
  function nextError() {
    var boxes = bad();
    if (!boxes.length) return;
    var status = document.querySelector(".ek-sticky");
    var line = status ? status.getBoundingClientRect().bottom + 8 : 8;
    var next = boxes.find(function (b) { return b.getBoundingClientRect().top > line + 4; }) || boxes[0];
    focusBox(next);
  }
  document.addEventListener("click", function (e) {
    var target = e.target.closest && e.target.closest(".ek-next");
    if (target) { e.preventDefault(); nextError(); }
  });

  // ---------------------------------------------------------------- phone keyboards
  function keyboards() {
    document.querySelectorAll(".ek-k-integer input:not([inputmode])").forEach(function (el) {
      el.setAttribute("inputmode", "numeric");
      el.setAttribute("autocomplete", "off");
    });
    document.querySelectorAll(".ek-k-decimal input:not([inputmode])").forEach(function (el) {
      el.setAttribute("inputmode", "decimal");
      el.setAttribute("autocomplete", "off");
    });
    document.querySelectorAll(".ek-k-tel input:not([inputmode])").forEach(function (el) {
      el.setAttribute("inputmode", "tel");
    });
  }

  // ---------------------------------------------------------------- the device's assessor
  var offered = false;
  function device() {
    document.querySelectorAll(".ek-remember[data-assessor]").forEach(function (el) {
      var name = el.getAttribute("data-assessor");
      try {
        if (name) localStorage.setItem(STORE, name); else localStorage.removeItem(STORE);
      } catch (e) { /* storage refused: nothing is remembered */ }
      el.removeAttribute("data-assessor");
    });
    if (offered) return;
    var box = document.querySelector(".ek-device input");
    if (!box) return;
    offered = true;
    var remembered = null;
    try { remembered = localStorage.getItem(STORE); } catch (e) { remembered = null; }
    box.value = remembered || "-";
    box.dispatchEvent(new Event("input", {bubbles: true}));
    box.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // ---------------------------------------------------------------- the review queue's shortcuts
  // Alt+1 通过, Alt+2 存疑, Alt+3 退回, Alt+N 下一条, Alt+P 上一条: the kernel's buttons are clicked.
  var SHORTCUTS = {"1": "approved", "2": "has_issues", "3": "rejected", "n": "next", "p": "previous"};
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = (event.code || "").replace(/^(Digit|Key)/, "").toLowerCase();
    var name = SHORTCUTS[key];
    var button = name && document.querySelector("button.ek-review-" + name);
    if (!button || button.disabled) return;
    event.preventDefault();
    var active = document.activeElement;
    if (active && active.tagName === "TEXTAREA") active.dispatchEvent(new Event("change", {bubbles: true}));
    button.click();
  });

  // ---------------------------------------------------------------- photos in a lightbox
  var PREVIEWS = ".ek-photo-preview img, img.ek-photo-preview";
  var lightbox = null, opener = null;
  function closeLightbox() {
    if (!lightbox) return;
    lightbox.remove();
    lightbox = null;
    document.body.classList.remove("ek-has-lightbox");
    if (opener && document.contains(opener)) {
      try { opener.focus({preventScroll: true}); } catch (e) { opener.focus(); }
    }
    opener = null;
  }
  function openLightbox(img, from) {
    closeLightbox();
    opener = from;
    lightbox = document.createElement("div");
    lightbox.className = "ek-lightbox";
    lightbox.setAttribute("role", "dialog");
    lightbox.setAttribute("aria-modal", "true");
    var name = img.getAttribute("alt") || "照片";
    lightbox.setAttribute("aria-label", "照片：" + name);
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = name;
    var caption = document.createElement("p");
    caption.className = "ek-lightbox-caption";
    caption.textContent = name + "（按 Esc 或点击任意处关闭）";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "ek-lightbox-close";
    close.textContent = "✕ 关闭";
    lightbox.appendChild(close);
    lightbox.appendChild(big);
    lightbox.appendChild(caption);
    lightbox.addEventListener("click", function (e) { e.preventDefault(); e.stopPropagation(); closeLightbox(); });
    document.body.appendChild(lightbox);
    document.body.classList.add("ek-has-lightbox");
    close.focus();
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    var thumb = e.target.closest("button.ek-thumb");
    var preview = thumb ? null : e.target.closest(PREVIEWS);
    var img = thumb ? thumb.querySelector("img") : preview;
    if (!img) return;
    e.preventDefault();
    openLightbox(img, thumb || preview);
  });
  document.addEventListener("keydown", function (e) {
    if (lightbox) {
      if (e.key === "Escape" || e.key === "Esc") { e.preventDefault(); closeLightbox(); }
      else if (e.key === "Tab") { e.preventDefault(); lightbox.querySelector(".ek-lightbox-close").focus(); }
      return;
    }
    var target = e.target;
    if ((e.key === "Enter" || e.key === " ") && target && target.matches && target.matches(PREVIEWS)) {
      e.preventDefault();
      openLightbox(target, target);
    }
  }, true);
  function previews() {
    document.querySelectorAll(PREVIEWS).forEach(function (img) {
      if (img.hasAttribute("tabindex")) return;
      img.setAttribute("tabindex", "0");
      img.setAttribute("role", "button");
      img.setAttribute("aria-label", "放大查看照片");
      img.setAttribute("title", "放大查看（Esc 关闭）");
      if (!img.getAttribute("alt")) img.setAttribute("alt", "照片");
    });
  }

  var pending = false;
  function update() {
    pending = false;
    syncAddress();
    syncFocus();
    keyboards();
    previews();
    device();
    restoreScroll();
    if (lost()) showBanner();
  }
  function schedule() {
    if (!pending) {
      pending = true;
      (window.requestAnimationFrame || setTimeout)(update);
    }
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, {subtree: true, childList: true, attributes: true,
      attributeFilter: ["class", "data-query", "data-n", "data-assessor"], characterData: true});
    schedule();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
  window.evalkitPage = {reconnect: reconnect, nextError: nextError, closeLightbox: closeLightbox};
})();
