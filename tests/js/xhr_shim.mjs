// A small XMLHttpRequest over Node's fetch, for @ftrack/api's uploads (Node has no XHR).
//
// It sends exactly what the client gives it: the method and URL of open(), the headers of
// setRequestHeader() and the body of send() (a Blob: fetch takes its size and type as a browser's
// XHR does). It fires the events the uploader listens to (readystatechange, load, loadend, error,
// abort, timeout, and one upload "progress" when the body is sent). Hand-written rather than an
// npm package so the tests depend on nothing but @ftrack/api and Node itself.

class EventTarget_ {
  constructor() {
    this._listeners = {};
  }

  addEventListener(type, listener) {
    (this._listeners[type] ??= []).push(listener);
  }

  removeEventListener(type, listener) {
    this._listeners[type] = (this._listeners[type] ?? []).filter((l) => l !== listener);
  }

  _fire(type, init = {}) {
    const event = { type, target: this, ...init };
    const handler = this[`on${type}`];
    if (typeof handler === "function") handler.call(this, event);
    for (const listener of this._listeners[type] ?? []) listener.call(this, event);
  }
}

export class XMLHttpRequest extends EventTarget_ {
  static UNSENT = 0;
  static OPENED = 1;
  static HEADERS_RECEIVED = 2;
  static LOADING = 3;
  static DONE = 4;

  constructor() {
    super();
    this.upload = new EventTarget_();
    this.readyState = 0;
    this.status = 0;
    this.statusText = "";
    this.response = null;
    this.responseText = "";
    this.timeout = 0;
    this._headers = {};
    this._responseHeaders = null;
    this._controller = null;
  }

  open(method, url) {
    this._method = method;
    this._url = String(url);
    this._headers = {};
    this._setState(1);
  }

  setRequestHeader(name, value) {
    this._headers[name] = String(value);
  }

  getResponseHeader(name) {
    return this._responseHeaders ? this._responseHeaders.get(name) : null;
  }

  getAllResponseHeaders() {
    if (!this._responseHeaders) return "";
    return [...this._responseHeaders].map(([k, v]) => `${k}: ${v}\r\n`).join("");
  }

  abort() {
    if (this._controller) this._controller.abort();
  }

  send(body) {
    this._controller = new AbortController();
    const size = body && typeof body.size === "number" ? body.size : 0;
    let timer = null;
    if (this.timeout > 0) {
      timer = setTimeout(() => {
        this._timedOut = true;
        this._controller.abort();
      }, this.timeout);
    }
    fetch(this._url, {
      method: this._method,
      headers: this._headers,
      body: body ?? undefined,
      signal: this._controller.signal,
    })
      .then(async (response) => {
        this.upload._fire("progress", { lengthComputable: true, loaded: size, total: size });
        this.status = response.status;
        this.statusText = response.statusText;
        this._responseHeaders = response.headers;
        this._setState(2);
        this.responseText = await response.text();
        this.response = this.responseText;
        this._setState(4);
        this._fire("load", { loaded: size, total: size });
        this._fire("loadend", { loaded: size, total: size });
      })
      .catch((error) => {
        this.status = 0;
        this._setState(4);
        const kind = this._timedOut ? "timeout" : error.name === "AbortError" ? "abort" : "error";
        this._fire(kind, { loaded: 0, total: size });
        this._fire("loadend", { loaded: 0, total: size });
      })
      .finally(() => clearTimeout(timer));
  }

  _setState(state) {
    this.readyState = state;
    this._fire("readystatechange");
  }
}

// What the uploader reads of a browser's window (multi-part uploads check navigator.onLine).
export function installBrowserGlobals() {
  globalThis.XMLHttpRequest = XMLHttpRequest;
  if (typeof globalThis.window === "undefined") {
    globalThis.window = {
      navigator: { onLine: true },
      addEventListener() {},
      removeEventListener() {},
    };
  }
}
