// Signs in to a Cognate server with amazon-cognito-identity-js, as a browser
// or Node app does, and verifies every token it gets with aws-jwt-verify
// against the server's JWKS. Prints one JSON summary on stdout:
// {"steps": [{"name", "ok", "error"?, ...}], "requests": [...]}.
// Configuration comes from the environment (see env() below).
"use strict";

// The library calls the global fetch for every request; recording what it
// sends and what it gets back shows which flow ran, and is the evidence when a
// step fails.
const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, opts = {}) => {
  const headers = opts.headers || {};
  const rec = { url: String(url), method: opts.method || "GET", target: headers["X-Amz-Target"] || null };
  if (opts.body) rec.request = redact(JSON.parse(opts.body));
  requests.push(rec);
  const resp = await realFetch(url, opts);
  rec.status = resp.status;
  const text = await resp.clone().text();
  try {
    rec.response = redact(JSON.parse(text));
  } catch {
    rec.response = text.slice(0, 500);
  }
  return resp;
};

const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require("amazon-cognito-identity-js");
const { JwtVerifier } = require("aws-jwt-verify");
const { SimpleJwksCache } = require("aws-jwt-verify/jwk");
const { validateCognitoJwtFields } = require("aws-jwt-verify/cognito-verifier");

// The trace is printed on failure: tokens are shortened, passwords masked.
function redact(v) {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === "string" && x.length > 40) out[k] = x.slice(0, 16) + "…(" + x.length + ")";
      else if (/PASSWORD$/.test(k) && typeof x === "string") out[k] = "***";
      else out[k] = redact(x);
    }
    return out;
  }
  return v;
}

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const cfg = {
  endpoint: env("COGNATE_ENDPOINT"),
  publicURL: env("COGNATE_PUBLIC_URL"),
  poolId: env("COGNATE_POOL_ID"),
  clientId: env("COGNATE_CLIENT_ID"),
  user: env("COGNATE_USER"),
  password: env("COGNATE_PASSWORD"),
  email: env("COGNATE_EMAIL"),
  newUser: env("COGNATE_NEW_USER"),
  tempPassword: env("COGNATE_TEMP_PASSWORD"),
  newPassword: env("COGNATE_NEW_PASSWORD"),
};
const issuer = `${cfg.publicURL}/${cfg.poolId}`;
const jwksUri = `${issuer}/.well-known/jwks.json`;

// aws-jwt-verify's default fetcher speaks HTTPS only; a test server is plain
// HTTP, so the JWKS comes through the library's documented Fetcher hook.
class HttpFetcher {
  async fetch(uri) {
    const resp = await globalThis.fetch(uri);
    if (resp.status !== 200) throw new Error(`GET ${uri}: status ${resp.status}`);
    return resp.arrayBuffer();
  }
}
const jwksCache = new SimpleJwksCache({ fetcher: new HttpFetcher() });

const idVerifier = JwtVerifier.create(
  {
    issuer,
    jwksUri,
    audience: cfg.clientId,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: "id", clientId: cfg.clientId }),
  },
  { jwksCache },
);
// Cognito access tokens have no aud; the client is in client_id.
const accessVerifier = JwtVerifier.create(
  {
    issuer,
    jwksUri,
    audience: null,
    scope: "aws.cognito.signin.user.admin",
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: "access", clientId: cfg.clientId }),
  },
  { jwksCache },
);

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// verifySession verifies both tokens of a session and the claims an app reads.
async function verifySession(session, username) {
  assert(session.isValid(), "session.isValid() is false");
  const idJwt = session.getIdToken().getJwtToken();
  const accessJwt = session.getAccessToken().getJwtToken();
  const id = await idVerifier.verify(idJwt);
  const access = await accessVerifier.verify(accessJwt);
  assert(id["cognito:username"] === username, `ID token cognito:username ${id["cognito:username"]}, want ${username}`);
  assert(access.username === username, `access token username ${access.username}, want ${username}`);
  assert(typeof id.sub === "string" && id.sub === access.sub, `sub differs: ${id.sub} / ${access.sub}`);
  assert(id.auth_time === access.auth_time, "auth_time differs between the tokens");
  assert(id.event_id && id.event_id === access.event_id, "event_id missing or differs between the tokens");
  // The library's own decoding, which apps use for the payload and expiry.
  const decoded = session.getIdToken().decodePayload();
  assert(decoded.sub === id.sub, "CognitoIdToken.decodePayload() disagrees with the verified payload");
  assert(session.getAccessToken().getExpiration() === access.exp, "CognitoAccessToken.getExpiration() is not exp");
  assert(session.getRefreshToken().getToken(), "no refresh token in the session");
  return { sub: id.sub, idClaims: Object.keys(id).sort(), accessClaims: Object.keys(access).sort(), id, access };
}

// Storage behaves as a browser's localStorage: getItem of a missing key is
// null, not undefined (the library's Node fallback), so refreshSession sends
// "DEVICE_KEY": null as it does in a browser.
class LocalStorage {
  constructor() {
    this.items = new Map();
  }
  setItem(k, v) {
    this.items.set(k, String(v));
  }
  getItem(k) {
    return this.items.has(k) ? this.items.get(k) : null;
  }
  removeItem(k) {
    this.items.delete(k);
  }
  clear() {
    this.items.clear();
  }
}
const storage = new LocalStorage();

// newUser is a CognitoUser of a fresh pool object, as a page load makes.
function newUser(username) {
  const pool = new CognitoUserPool({ UserPoolId: cfg.poolId, ClientId: cfg.clientId, endpoint: cfg.endpoint, Storage: storage });
  return new CognitoUser({ Username: username, Pool: pool, Storage: storage });
}

function authenticate(user, password, flow) {
  return new Promise((resolve, reject) => {
    if (flow) user.setAuthenticationFlowType(flow);
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) => resolve({ newPassword: { userAttributes, requiredAttributes } }),
      mfaRequired: () => reject(new Error("unexpected mfaRequired")),
      totpRequired: () => reject(new Error("unexpected totpRequired")),
      customChallenge: () => reject(new Error("unexpected customChallenge")),
      mfaSetup: () => reject(new Error("unexpected mfaSetup")),
      selectMFAType: () => reject(new Error("unexpected selectMFAType")),
    });
  });
}

// expectFailure runs a sign-in that must fail and returns the error's code,
// as the library parsed it from Cognate's error response.
async function expectFailure(p) {
  try {
    await p;
  } catch (err) {
    return { code: err.code, name: err.name, message: err.message };
  }
  throw new Error("the sign-in succeeded");
}

const steps = [];
async function step(name, fn) {
  const first = requests.length;
  const rec = { name, ok: false };
  steps.push(rec);
  try {
    Object.assign(rec, (await fn()) || {});
    rec.ok = true;
  } catch (err) {
    rec.error = `${err.name || "Error"}: ${err.message}${err.code ? ` (code ${err.code})` : ""}`;
  }
  rec.calls = requests.slice(first).map((r) => (r.target ? r.target.split(".").pop() : `${r.method} ${new URL(r.url).pathname}`));
  rec.flows = requests
    .slice(first)
    .map((r) => r.request && (r.request.AuthFlow || r.request.ChallengeName))
    .filter(Boolean);
  return rec.ok;
}

function lastStatus(target) {
  const r = requests.filter((x) => x.target && x.target.endsWith("." + target)).pop();
  return r && r.status;
}

async function main() {
  let srpSession;
  let srpUser;
  await step("srp", async () => {
    srpUser = newUser(cfg.user);
    const r = await authenticate(srpUser, cfg.password);
    assert(r.session, `no session: ${JSON.stringify(r)}`);
    srpSession = r.session;
    const v = await verifySession(r.session, cfg.user);
    return { sub: v.sub, idClaims: v.idClaims, accessClaims: v.accessClaims };
  });

  await step("srp_wrong_password", async () => {
    const user = newUser(cfg.user);
    const e = await expectFailure(authenticate(user, cfg.password + "x"));
    assert(e.code === "NotAuthorizedException", `error ${JSON.stringify(e)}, want NotAuthorizedException`);
    return { errorCode: e.code, errorMessage: e.message, status: lastStatus("RespondToAuthChallenge") };
  });

  await step("user_password", async () => {
    const user = newUser(cfg.user);
    const r = await authenticate(user, cfg.password, "USER_PASSWORD_AUTH");
    assert(r.session, `no session: ${JSON.stringify(r)}`);
    const v = await verifySession(r.session, cfg.user);
    return { sub: v.sub };
  });

  await step("user_password_wrong_password", async () => {
    const user = newUser(cfg.user);
    const e = await expectFailure(authenticate(user, cfg.password + "x", "USER_PASSWORD_AUTH"));
    assert(e.code === "NotAuthorizedException", `error ${JSON.stringify(e)}, want NotAuthorizedException`);
    return { errorCode: e.code, errorMessage: e.message, status: lastStatus("InitiateAuth") };
  });

  await step("refresh", async () => {
    assert(srpSession, "no session from the srp step");
    const before = await verifySession(srpSession, cfg.user);
    const session = await new Promise((resolve, reject) =>
      srpUser.refreshSession(srpSession.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))),
    );
    const sent = requests.filter((r) => r.request && r.request.AuthFlow === "REFRESH_TOKEN_AUTH").pop();
    assert(sent && "DEVICE_KEY" in sent.request.AuthParameters, "refreshSession sent no DEVICE_KEY; the browser case is not covered");
    const after = await verifySession(session, cfg.user);
    assert(after.sub === before.sub, "refresh changed sub");
    assert(after.id.auth_time === before.id.auth_time, "refresh changed auth_time");
    srpSession = session;
    return { sub: after.sub };
  });

  await step("get_user_attributes", async () => {
    assert(srpSession, "no session from the srp step");
    const attrs = await new Promise((resolve, reject) =>
      srpUser.getUserAttributes((err, a) => (err ? reject(err) : resolve(a))),
    );
    const m = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
    const id = srpSession.getIdToken().decodePayload();
    assert(m.sub === id.sub, `GetUser sub ${m.sub}, ID token sub ${id.sub}`);
    assert(m.email === cfg.email, `GetUser email ${m.email}, want ${cfg.email}`);
    return { attributes: m };
  });

  await step("new_password_required", async () => {
    const user = newUser(cfg.newUser);
    const r = await authenticate(user, cfg.tempPassword);
    assert(r.newPassword, `want the newPasswordRequired callback, got ${JSON.stringify(r)}`);
    const { userAttributes, requiredAttributes } = r.newPassword;
    assert(userAttributes && typeof userAttributes === "object", `userAttributes ${JSON.stringify(userAttributes)}`);
    assert(Array.isArray(requiredAttributes), `requiredAttributes ${JSON.stringify(requiredAttributes)}`);
    const session = await new Promise((resolve, reject) =>
      user.completeNewPasswordChallenge(cfg.newPassword, {}, {
        onSuccess: resolve,
        onFailure: reject,
        mfaRequired: () => reject(new Error("unexpected mfaRequired")),
        newPasswordRequired: () => reject(new Error("NEW_PASSWORD_REQUIRED again")),
      }),
    );
    const v = await verifySession(session, cfg.newUser);
    return { sub: v.sub, userAttributes, requiredAttributes };
  });

  await step("new_password_sign_in", async () => {
    const user = newUser(cfg.newUser);
    const r = await authenticate(user, cfg.newPassword);
    assert(r.session, `no session: ${JSON.stringify(r)}`);
    const v = await verifySession(r.session, cfg.newUser);
    const e = await expectFailure(authenticate(newUser(cfg.newUser), cfg.tempPassword));
    assert(e.code === "NotAuthorizedException", `temporary password: ${JSON.stringify(e)}, want NotAuthorizedException`);
    return { sub: v.sub };
  });

  const summary = { steps, requests };
  process.stdout.write(JSON.stringify(summary) + "\n");
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ steps, requests, fatal: String(err && err.stack) }) + "\n");
  process.exitCode = 1;
});
