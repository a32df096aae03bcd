// Derives srp's known answers by running amazon-cognito-identity-js itself:
// CognitoUser.authenticateUser with a fixed a, a fixed clock and a fake
// transport that answers InitiateAuth with a B made from a fixed b.
//
//   npm install amazon-cognito-identity-js@6.3.21
//   node cognito-js.js > cognito-js.json
const crypto = require('crypto');
const lib = require('amazon-cognito-identity-js');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

function det(label, n) { // deterministic bytes
  let out = Buffer.alloc(0), i = 0;
  while (out.length < n) out = Buffer.concat([out, crypto.createHash('sha256').update(label + ':' + (i++)).digest()]);
  return out.subarray(0, n);
}
function modPow(base, e, m) { let r; base.modPow(e, m, (err, v) => { if (err) throw err; r = v; }); return r; }

async function run(c) {
  const poolName = c.poolId.split('_')[1];
  const h = new AuthenticationHelper(poolName);
  const salt = new BigInteger(c.saltHex, 16);
  const x = new BigInteger(h.hexHash(h.padHex(salt) + h.hash(poolName + c.userId + ':' + c.password)), 16);
  const v = modPow(h.g, x, h.N);
  const aHex = c.aHex;
  const A = modPow(h.g, new BigInteger(aHex, 16), h.N);
  let bHex, B, u;
  for (let i = 0; ; i++) {
    bHex = det(c.bLabel + ':' + i, 32).toString('hex');
    B = h.k.multiply(v).add(modPow(h.g, new BigInteger(bHex, 16), h.N)).mod(h.N);
    const uh = h.hexHash(h.padHex(A) + h.padHex(B));
    if (!c.uLeadingZero || (uh.startsWith('00') && '01234567'.includes(uh[2]))) { u = uh; break; }
  }
  // Run CognitoUser.authenticateUser with a fake transport, a fixed a and a fixed clock.
  const origRandom = AuthenticationHelper.prototype.generateRandomSmallA;
  AuthenticationHelper.prototype.generateRandomSmallA = function () { return new BigInteger(aHex, 16); };
  const RealDate = Date;
  global.Date = class extends RealDate { constructor(...a) { super(...(a.length ? a : [c.now])); } static now() { return new RealDate(c.now).getTime(); } };
  const pool = new lib.CognitoUserPool({ UserPoolId: c.poolId, ClientId: 'abcdefghijklmnopqrstuvwxyz' });
  const user = new lib.CognitoUser({ Username: c.username, Pool: pool });
  let initiate, respond;
  user.client.request = (op, params, cb) => {
    if (op === 'InitiateAuth') {
      initiate = params;
      cb(null, { ChallengeName: 'PASSWORD_VERIFIER', Session: 's', ChallengeParameters: {
        USER_ID_FOR_SRP: c.userId, SRP_B: c.sendB ? c.sendB(B) : B.toString(16), SALT: c.sendSalt || c.saltHex, SECRET_BLOCK: c.secretBlock } });
    } else if (op === 'RespondToAuthChallenge') {
      respond = params; cb({ code: 'Stop', message: 'stop' });
    }
  };
  await new Promise(res => user.authenticateUser(new lib.AuthenticationDetails({ Username: c.username, Password: c.password }),
    { onFailure: () => res(), onSuccess: () => res() }));
  AuthenticationHelper.prototype.generateRandomSmallA = origRandom;
  global.Date = RealDate;
  return {
    name: c.name, poolId: c.poolId, userId: c.userId, password: c.password, salt: c.saltHex,
    a: aHex, b: bHex, verifier: v.toString(16), A: initiate.AuthParameters.SRP_A, B: B.toString(16), u,
    secretBlock: c.secretBlock, timestamp: respond.ChallengeResponses.TIMESTAMP,
    signature: respond.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE, k: h.k.toString(16),
  };
}

(async () => {
  const cases = [
    { name: 'ascii', poolId: 'us-east-1_AbCdEf123', username: 'alice', userId: 'alice', password: 'Passw0rd!',
      saltHex: 'c8d2f6a1e0b54f3a9d7e6c5b4a392817', aHex: det('a1', 128).toString('hex'), bLabel: 'b1',
      secretBlock: det('sb1', 40).toString('base64'), now: Date.UTC(2026, 11, 1, 20, 5, 9) },
    { name: 'unicode, salt with a leading zero byte, u with a leading zero byte', poolId: 'eu-west-2_Zz9yX8w', username: 'ünïcødé@example.com',
      userId: '5a3b1c2d-0e9f-4a8b-b7c6-d5e4f3a2b1c0', password: 'pässwörd-密码-🔑',
      saltHex: '007f3e2d1c0b0a09080706050403020f', sendSalt: '7f3e2d1c0b0a09080706050403020f', aHex: det('a2', 128).toString('hex'), bLabel: 'b2', uLeadingZero: true,
      secretBlock: det('sb2', 57).toString('base64'), now: Date.UTC(2027, 0, 9, 3, 4, 5) },
    { name: 'uppercase SRP_B, odd salt', poolId: 'ap-southeast-2_Q', username: 'bob', userId: 'bob', password: '',
      saltHex: 'f', aHex: '00' + det('a3', 127).toString('hex'), bLabel: 'b3', sendB: B => B.toString(16).toUpperCase(),
      secretBlock: det('sb3', 1).toString('base64'), now: Date.UTC(2025, 6, 31, 23, 59, 59) },
  ];
  const out = [];
  for (const c of cases) out.push(await run(c));
  console.log(JSON.stringify(out, null, 1));
})();
