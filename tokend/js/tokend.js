// tokend.js — the page-side client of tokend, the local daemon that lets a
// login page use the person's GOST token. An ES module with no build step:
//
//   import { Tokend } from "/static/tokend.js";
//   const tokend = new Tokend();            // http://127.0.0.1:24712
//   const { authToken } = await tokend.authenticate(nonceFromServer);
//   // POST authToken to the site's server, which checks it with tokend/validate.
//
// Browser rules it is built around (shared/spec/tokend/ANCHORS.md §3, §6 item
// 8): an https page may call http://127.0.0.1 (loopback is potentially
// trustworthy, so no mixed-content block), but Chromium 142+ and Firefox ask
// the person for the "loopback-network" permission (earlier
// "local-network-access") per site. A refused request never reaches the
// daemon and fails like a dead server, so this client checks the permission
// state and tells the two apart: LOOPBACK_PERMISSION_DENIED,
// DAEMON_UNREACHABLE, ORIGIN_NOT_ALLOWED. Make the first call from a click
// (a user gesture), not on page load. In an iframe the frame needs
// allow="loopback-network".
//
// The PIN never passes through the page: tokend asks for it in its own
// dialog. The origin bound into the login token is the browser's Origin
// header; nothing here can change it.

/** Protocol version this client speaks (tokend.Protocol). */
export const PROTOCOL = "1";

/** The daemon's default port (tokend.DefaultPort). */
export const DEFAULT_PORT = 24712;

/**
 * Instructions shown for LOOPBACK_PERMISSION_DENIED, Russian and English.
 * @type {{ru: string, en: string}}
 */
export const PERMISSION_HELP = {
  ru: "Браузер не разрешил этому сайту обращаться к программам на вашем компьютере. " +
    "Нажмите на значок слева от адреса сайта, откройте «Настройки сайтов» и разрешите " +
    "«Приложения на этом устройстве» (loopback-network), затем повторите вход.",
  en: "The browser does not let this site talk to apps on this device. Click the icon left of " +
    "the address, open the site settings, allow \"Apps on this device\" (loopback-network), " +
    "then try again.",
};

/**
 * An error from tokend or from this client.
 * code is stable: LOOPBACK_PERMISSION_DENIED, DAEMON_UNREACHABLE,
 * ORIGIN_NOT_ALLOWED, VERSION_MISMATCH, NO_TOKEN, NO_CERTIFICATE,
 * CERTIFICATE_UNUSABLE, PIN_INCORRECT, PIN_LOCKED, USER_CANCELLED,
 * USER_TIMEOUT, TOKEN_REMOVED, OPERATION_PENDING, BAD_NONCE, INSECURE_CONTEXT, …
 */
export class TokendError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{retriesLeft?: number, requestId?: string, status?: number}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message);
    this.name = "TokendError";
    /** @type {string} */ this.code = code;
    /** @type {number|undefined} */ this.retriesLeft = extra.retriesLeft;
    /** @type {string|undefined} */ this.requestId = extra.requestId;
    /** @type {number|undefined} */ this.status = extra.status;
  }
}

/**
 * @typedef {Object} Filter
 * @property {string[]} [keyUsage]    e.g. ["digitalSignature"]
 * @property {string[]} [extKeyUsage] dotted OIDs
 * @property {string}   [issuer]      substring of the issuer's name
 * @property {string[]} [algorithm]   "GOST3410_2012_256" | "GOST3410_2012_512"
 * @property {boolean}  [validOnly]
 */

/**
 * @typedef {Object} Certificate
 * @property {string} id  hex SHA-256 of the DER; pass it to authenticate
 * @property {string} certificate base64 DER
 * @property {string} subject
 * @property {string} issuer
 * @property {string} notBefore
 * @property {string} notAfter
 * @property {string} algorithm
 * @property {string} token
 * @property {boolean} usable
 * @property {string} [reason] why it cannot be used
 */

/**
 * @typedef {Object} AuthToken
 * @property {string} unverifiedCertificate
 * @property {string} algorithm
 * @property {string} signature
 * @property {string} format
 * @property {string} appVersion
 */

export class Tokend {
  /**
   * @param {{port?: number, host?: string, timeout?: number}} [opts]
   *   timeout in milliseconds for one request (default 130 000: the daemon's
   *   own 2-minute limit for the person plus a margin)
   */
  constructor(opts = {}) {
    const host = opts.host || "127.0.0.1";
    const port = opts.port || DEFAULT_PORT;
    /** @type {string} */ this.base = `http://${host.includes(":") ? `[${host}]` : host}:${port}/v${PROTOCOL}/`;
    /** @type {number} */ this.timeout = opts.timeout || 130000;
    /** @type {number} */ this._seq = 0;
  }

  /**
   * The browser's loopback permission for this page: "granted", "denied",
   * "prompt", or "unknown" where the browser has no such permission.
   * @returns {Promise<string>}
   */
  async permission() {
    if (!navigator.permissions || !navigator.permissions.query) return "unknown";
    for (const name of ["loopback-network", "local-network-access"]) {
      try {
        const st = await navigator.permissions.query({ name: /** @type {any} */ (name) });
        return st.state;
      } catch (e) {
        // Not a permission this browser knows: try the next name.
      }
    }
    return "unknown";
  }

  /**
   * Daemon status: protocol version, tokens present.
   * @returns {Promise<{protocol: string, appVersion: string, tokens: Object[]}>}
   */
  status() {
    return this._call("status", {});
  }

  /**
   * Certificates on the present tokens.
   * @param {Filter} [filter]
   * @returns {Promise<Certificate[]>}
   */
  async certificates(filter) {
    const res = await this._call("certificates", filter ? { filter } : {});
    return res.certificates;
  }

  /**
   * Log in: the daemon shows the person this site's origin and the
   * certificate, asks for the PIN in its own dialog and returns the login
   * token for the site's server.
   * @param {string} nonce the nonce the site's server issued (44–128 base64 characters)
   * @param {{certificate?: string, requestId?: string}} [opts]
   * @returns {Promise<{authToken: AuthToken, requestId: string}>}
   */
  authenticate(nonce, opts = {}) {
    /** @type {Object<string, string>} */
    const body = { nonce, requestId: opts.requestId || this._id() };
    if (opts.certificate) body.certificate = opts.certificate;
    return this._call("authenticate", body);
  }

  /**
   * Sign a document: by default a detached CAdES-BES (CMS) signature. The
   * daemon shows the person this site's origin, the document's name and the
   * digest's fingerprint (Tokend.fingerprint; show the same beside the
   * document so the person can compare), asks for the PIN in its own dialog
   * and returns the signature. A sign call can never serve as a login.
   *
   *   // the site's server: digest = validate.DocumentDigest(alg, document),
   *   // and it shows validate.Fingerprint(digest) beside the document
   *   const r = await tokend.sign({ digest, documentName: "Договор № 15.pdf", certificate: id });
   *   // POST r.signature (base64 DER) to the server, which verifies it over the document
   *
   * @param {{documentName: string, digest?: string|Uint8Array|ArrayBuffer,
   *   data?: string|Uint8Array|ArrayBuffer, format?: "cms"|"raw",
   *   certificate?: string, requestId?: string}} req
   *   documentName: what the person is told they sign (one line, at most 200
   *   characters). Exactly one of digest — the document's Streebog digest as
   *   the site's server computed it, 256 or 512 bits to match the
   *   certificate's algorithm, base64 or bytes — and data — a small document
   *   (at most 32 KiB) the daemon hashes, bytes or a string signed as its
   *   UTF-8 encoding. format "raw" asks for the bare GOST signature over the
   *   digest (BE(s) ‖ BE(r)); the daemon refuses it (RAW_NOT_ALLOWED) unless
   *   its owner allowed this site. certificate: an id from certificates(),
   *   optional when one certificate may sign. requestId: for cancel().
   * @returns {Promise<{format: string, signature: string, algorithm: string,
   *   digest: string, fingerprint: string, certificate: string, requestId: string}>}
   *   signature, digest (what was signed) and certificate (DER) in base64
   */
  sign(req) {
    if (!req || typeof req.documentName !== "string" || req.documentName.trim() === "") {
      return Promise.reject(new TokendError("BAD_REQUEST", "sign needs a documentName: the person is shown what they sign"));
    }
    if ((req.digest == null) === (req.data == null)) {
      return Promise.reject(new TokendError("BAD_REQUEST", "sign needs exactly one of digest and data"));
    }
    /** @type {Object<string, string>} */
    const body = { documentName: req.documentName, requestId: req.requestId || this._id() };
    if (req.digest != null) {
      body.digest = typeof req.digest === "string" ? req.digest : Tokend._base64(req.digest);
    } else {
      body.data = Tokend._base64(typeof req.data === "string" ? new TextEncoder().encode(req.data) : req.data);
    }
    if (req.format) body.format = req.format;
    if (req.certificate) body.certificate = req.certificate;
    return this._call("sign", body);
  }

  /**
   * The fingerprint of a digest as tokend's signing dialog shows it, and as
   * tokend/validate.Fingerprint computes it on a Go server: the first 20
   * hexadecimal digits, upper case, in groups of four
   * ("3F53 9A21 3E97 C802 CC22").
   * @param {string|Uint8Array|ArrayBuffer} digest base64 or bytes
   * @returns {string}
   */
  static fingerprint(digest) {
    const b = typeof digest === "string" ? Uint8Array.from(atob(digest), (c) => c.charCodeAt(0)) : new Uint8Array(digest);
    const hex = Array.from(b.subarray(0, 10), (x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
    return (hex.match(/.{1,4}/g) || []).join(" ");
  }

  /**
   * @param {Uint8Array|ArrayBuffer} bytes
   * @returns {string} standard base64
   */
  static _base64(bytes) {
    const b = new Uint8Array(bytes);
    let s = "";
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 0x8000)));
    return btoa(s);
  }

  /**
   * Cancel an operation of this page that is waiting for the person.
   * @param {string} requestId
   */
  cancel(requestId) {
    return this._call("cancel", { target: requestId });
  }

  /**
   * @typedef {Object} TokenInfo
   * @property {string} label
   * @property {string} serial
   * @property {string} manufacturer
   * @property {string} model
   * @property {boolean} pinPad
   * @property {boolean} pinLocked
   * @property {string} [problem]
   */

  /**
   * @typedef {Object} TokenEvent
   * @property {"present"|"inserted"|"removed"|"changed"} event "present" for
   *   each token already plugged in when the subscription (re)connects; then
   *   "inserted" and "removed" as the person plugs tokens in and pulls them
   *   out, and "changed" when a token's state changes (pinLocked, pinPad,
   *   problem)
   * @property {TokenInfo} token
   */

  /**
   * Listen to token events, pushed by the daemon over its WebSocket
   * (ws://…/v1/events, subprotocol "tokend.v1"). type "token" gets a
   * TokenEvent; type "error" gets a TokendError when the events cannot be
   * had (LOOPBACK_PERMISSION_DENIED, ORIGIN_NOT_ALLOWED — the daemon sends
   * events only to sites already allowed, so subscribe again after the
   * person allowed this site in tokend's dialog —, DAEMON_UNREACHABLE,
   * VERSION_MISMATCH, INSECURE_CONTEXT). The socket opens with the first
   * "token" handler and closes with the last; a lost connection (the daemon
   * restarted) is opened again after a pause, and its snapshot comes as
   * "present" events again. Calling on() again reopens a connection that
   * stopped on an error.
   * @param {"token"|"error"} type
   * @param {(ev: any) => void} handler
   * @returns {() => void} removes the handler (the same as off)
   */
  on(type, handler) {
    if (type !== "token" && type !== "error") throw new TypeError(`tokend: unknown event "${type}" (use "token" or "error")`);
    if (typeof handler !== "function") throw new TypeError("tokend: the handler must be a function");
    if (!this._events) {
      /** @type {{token: Set<Function>, error: Set<Function>, ws: WebSocket|null, opening: boolean, retry: any, delay: number}} */
      this._events = { token: new Set(), error: new Set(), ws: null, opening: false, retry: null, delay: 1000 };
    }
    this._events[type].add(handler);
    if (this._events.token.size > 0) this._openEvents();
    return () => this.off(type, handler);
  }

  /**
   * Remove a handler added with on(). The WebSocket closes when no "token"
   * handler is left.
   * @param {"token"|"error"} type
   * @param {(ev: any) => void} handler
   */
  off(type, handler) {
    const ev = this._events;
    if (!ev || (type !== "token" && type !== "error")) return;
    ev[type].delete(handler);
    if (ev.token.size === 0) {
      clearTimeout(ev.retry);
      ev.retry = null;
      if (ev.ws) {
        const ws = ev.ws;
        ev.ws = null;
        ws.close(1000);
      }
    }
  }

  /**
   * @param {"token"|"error"} type
   * @param {any} value
   */
  _emit(type, value) {
    for (const h of Array.from(this._events[type])) {
      try {
        h(value);
      } catch (e) {
        // One page handler failing must not keep events from the others.
        setTimeout(() => { throw e; });
      }
    }
  }

  async _openEvents() {
    const ev = this._events;
    if (ev.ws || ev.opening || ev.retry) return;
    if (typeof window !== "undefined" && window.isSecureContext === false) {
      this._emit("error", new TokendError("INSECURE_CONTEXT", "tokend works only from https pages (or http://localhost in development)"));
      return;
    }
    ev.opening = true;
    let perm;
    try {
      perm = await this.permission();
    } finally {
      ev.opening = false;
    }
    if (ev.token.size === 0 || ev.ws) return;
    if (perm === "denied") {
      this._emit("error", new TokendError("LOOPBACK_PERMISSION_DENIED", PERMISSION_HELP.ru + "\n" + PERMISSION_HELP.en));
      return;
    }
    const url = this.base.replace(/^http/, "ws") + "events";
    const protocols = ["tokend.v" + PROTOCOL];
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(url, protocols);
    } catch (e) {
      // The browser will not even try: ws:// to a host that is not
      // loopback from an https page (mixed content), or a blocked port.
      this._emit("error", new TokendError("DAEMON_UNREACHABLE", "the browser refused to open tokend's events connection: " + (e && e.message)));
      return;
    }
    ev.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ev.delay = 1000;
    };
    ws.onmessage = (m) => {
      if (ev.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch (e) {
        return;
      }
      if (msg.type === "snapshot") {
        for (const token of msg.tokens || []) this._emit("token", { event: "present", token });
      } else if (msg.type === "token" && ["inserted", "removed", "changed"].includes(msg.event)) {
        this._emit("token", { event: msg.event, token: msg.token });
      }
    };
    ws.onclose = async (c) => {
      if (ev.ws !== ws) return; // closed by off()
      ev.ws = null;
      if (ev.token.size === 0) return;
      // 1001 going away (the daemon stopping), 1013 try again later (this
      // page read too slowly), 1006 lost: open again after a pause. A
      // socket refused before it opened: ask /status why.
      let again = opened && c.code !== 1008;
      if (!opened) {
        let err = null;
        try {
          await this._call("status", {});
        } catch (e) {
          err = e;
        }
        if (err && err.code !== "DAEMON_UNREACHABLE") {
          this._emit("error", err);
          return;
        }
        if (err) this._emit("error", err);
        again = true; // the daemon may start later, or a connection limit may clear
      }
      if (again && ev.token.size > 0) {
        ev.retry = setTimeout(() => {
          ev.retry = null;
          if (ev.token.size > 0) this._openEvents();
        }, ev.delay);
        ev.delay = Math.min(ev.delay * 2, 30000);
      }
    };
  }

  _id() {
    this._seq++;
    const r = new Uint8Array(6);
    crypto.getRandomValues(r);
    return "js-" + Array.from(r, (b) => b.toString(16).padStart(2, "0")).join("") + "-" + this._seq;
  }

  /**
   * @param {string} op
   * @param {Object} body
   */
  async _call(op, body) {
    if (typeof window !== "undefined" && window.isSecureContext === false) {
      throw new TokendError("INSECURE_CONTEXT", "tokend works only from https pages (or http://localhost in development)");
    }
    const perm = await this.permission();
    if (perm === "denied") {
      throw new TokendError("LOOPBACK_PERMISSION_DENIED", PERMISSION_HELP.ru + "\n" + PERMISSION_HELP.en);
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeout);
    let resp;
    try {
      resp = await fetch(this.base + op, /** @type {RequestInit} */ ({
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json", "Tokend-Protocol": PROTOCOL },
        body: JSON.stringify(body),
        signal: ctl.signal,
        // Chromium's Local Network Access: mark the request as aimed at loopback.
        targetAddressSpace: "loopback",
      }));
    } catch (e) {
      clearTimeout(timer);
      throw await this._diagnose(op, perm, e);
    }
    clearTimeout(timer);
    let data;
    try {
      data = await resp.json();
    } catch (e) {
      throw new TokendError("DAEMON_UNREACHABLE", "the answer on the tokend port is not tokend's", { status: resp.status });
    }
    if (!resp.ok || data.error) {
      const err = data.error || {};
      throw new TokendError(err.code || "INTERNAL_ERROR", err.message || `HTTP ${resp.status}`,
        { retriesLeft: err.retriesLeft, requestId: data.requestId, status: resp.status });
    }
    return data;
  }

  /**
   * A fetch that failed without an answer: the browser refused (permission),
   * the daemon refused to share its answer with this origin (not allowed:
   * only /status answers such origins, with ORIGIN_NOT_ALLOWED), or nothing
   * listens.
   * @param {string} op
   * @param {string} perm
   * @param {any} cause
   */
  async _diagnose(op, perm, cause) {
    if (cause && cause.name === "AbortError") {
      return new TokendError("USER_TIMEOUT", "no answer from tokend in time");
    }
    if (op !== "status") {
      try {
        await this._call("status", {});
      } catch (e) {
        if (e instanceof TokendError && e.code !== "DAEMON_UNREACHABLE") return e;
      }
    }
    if (perm === "prompt" || perm === "denied") {
      return new TokendError("LOOPBACK_PERMISSION_DENIED", PERMISSION_HELP.ru + "\n" + PERMISSION_HELP.en);
    }
    return new TokendError("DAEMON_UNREACHABLE",
      "tokend is not running on this computer (start it: tokend run, or see tokend doctor)");
  }
}
