// Signet agent client: sign digests and PDFs with the person's card
// through Signet running on this machine. No build step: include it with
// <script src="signet-agent.js"></script> and use window.SignetAgent.
//
//   const agent = new SignetAgent();            // http://127.0.0.1:27413
//   const certs = await agent.certificates();   // Signet asks the person to allow this site
//   const sig = await agent.signDigest(certs[0].id, digestBytes, "SHA-256");
//   const pdf = await agent.signPDF(certs[0].id, pdfBytes, "contract.pdf", { reason: "Agreed" });
//   const token = await agent.authenticate(authCert.id, nonceFromYourServer);
//   // POST token to your server: it is a Web eID authentication token
//   // (web-eid:1.0); verify it with Web eID's server libraries.
//
// Every signing is approved by the person in Signet, who types the PIN
// there. Bare digests (signDigest, signDigests) need the person's separate
// permission for the site, asked once. Errors are thrown as
// SignetAgentError with a stable .code (see agent/openapi.yaml):
// origin_denied, digests_not_allowed, user_declined, wrong_pin, busy, …
(function (global) {
  "use strict";

  class SignetAgentError extends Error {
    constructor(code, message, status, triesLeft) {
      super(message);
      this.name = "SignetAgentError";
      this.code = code;
      this.status = status;
      this.triesLeft = triesLeft;
    }
  }

  function toBase64(bytes) {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let s = "";
    for (let i = 0; i < b.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function fromBase64(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  class SignetAgent {
    constructor(baseURL) {
      this.baseURL = (baseURL || "http://127.0.0.1:27413").replace(/\/$/, "");
    }

    async _call(method, path, body, retried) {
      let resp;
      try {
        resp = await fetch(this.baseURL + path, {
          method,
          headers: body === undefined ? {} : { "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (e) {
        // A POST's preflight is refused until the person has allowed this
        // site (preflights never ask): GET /v1/certificates asks, then the
        // request goes once more.
        if (method !== "GET" && !retried) {
          await this._call("GET", "/v1/certificates");
          return this._call(method, path, body, true);
        }
        // A refused origin gets no CORS headers: the browser hides the
        // answer, so "not running" and "not allowed" look alike here.
        throw new SignetAgentError("unreachable", "Signet is not running on this computer, or did not allow this site", 0);
      }
      const data = await resp.json().catch(() => ({}));
      if (!resp.ok) {
        throw new SignetAgentError(data.code || "http_" + resp.status, data.message || resp.statusText, resp.status, data.triesLeft);
      }
      return data;
    }

    info() {
      return this._call("GET", "/v1/info");
    }

    async certificates() {
      return (await this._call("GET", "/v1/certificates")).certificates;
    }

    // signDigest signs a hash (Uint8Array) and returns
    // { signature: Uint8Array, algorithm, certificate: Uint8Array, chain: [Uint8Array] }.
    signDigest(certificateId, digest, algorithm) {
      return this._digest("/v1/sign/digest", certificateId, digest, algorithm);
    }

    // authenticate logs the person in: after they agree in Signet, their
    // authentication key (only) signs the challenge nonce your server
    // issued (a base64 string of at least 32 random bytes) bound to this
    // page's origin. Returns the Web eID authentication token
    // { unverifiedCertificate, algorithm, signature, format: "web-eid:1.0",
    // appVersion }, as is: send it to your server, which verifies it with
    // Web eID's libraries against its own origin and the nonce it issued.
    authenticate(certificateId, challengeNonce) {
      return this._call("POST", "/v1/authenticate", { certificateId, challengeNonce });
    }

    async _digest(path, certificateId, digest, algorithm) {
      const r = await this._call("POST", path, {
        certificateId, digest: toBase64(digest), algorithm: algorithm || "SHA-256",
      });
      return {
        signature: fromBase64(r.signature), algorithm: r.algorithm,
        certificate: fromBase64(r.certificate), chain: r.chain.map(fromBase64),
      };
    }

    async signDigests(certificateId, digests, algorithm) {
      const r = await this._call("POST", "/v1/sign/digest/batch", {
        certificateId, items: digests.map((d) => ({ digest: toBase64(d), algorithm: algorithm || "SHA-256" })),
      });
      return r.signatures.map((s) => ({ signature: fromBase64(s.signature), algorithm: s.algorithm }));
    }

    // signPDF signs a PDF (Uint8Array) and returns the signed PDF.
    // options: { reason, location, level: "B-B"|"B-T", visible: { page, rect: [x1,y1,x2,y2], lines, image } }
    async signPDF(certificateId, pdf, name, options) {
      const r = await this._call("POST", "/v1/sign/pdf", {
        certificateId, name: name || "document.pdf", document: toBase64(pdf), options: options || {},
      });
      return fromBase64(r.document);
    }

    async signPDFs(certificateId, docs, options) {
      const r = await this._call("POST", "/v1/sign/pdf/batch", {
        certificateId, documents: docs.map((d) => ({ name: d.name, document: toBase64(d.data) })), options: options || {},
      });
      return r.documents.map((d) => ({ name: d.name, data: fromBase64(d.document) }));
    }
  }

  SignetAgent.Error = SignetAgentError;
  SignetAgent.toBase64 = toBase64;
  SignetAgent.fromBase64 = fromBase64;
  global.SignetAgent = SignetAgent;
})(typeof window !== "undefined" ? window : globalThis);
