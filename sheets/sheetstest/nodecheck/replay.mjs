// Replays the recorded gspread sessions through Google's Node client
// (@googleapis/sheets) against the emulator and compares every answer with
// Google's recorded one, ids aside. Usage: node replay.mjs ENDPOINT CASSETTE_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { sheets as sheetsAPI } from '@googleapis/sheets';

const [endpoint, dir] = process.argv.slice(2);

// The service-account JWT grant, against the emulator's token endpoint, as
// the account gspread recorded with (protected ranges name it as editor).
async function accessToken(email) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = b64({ alg: 'RS256', typ: 'JWT' }) + '.' + b64({
    iss: email, scope: 'https://www.googleapis.com/auth/spreadsheets', aud: endpoint + 'token', iat: now, exp: now + 3600,
  });
  const sig = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  const res = await fetch(endpoint + 'token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: unsigned + '.' + sig }),
  });
  if (!res.ok) throw new Error('token endpoint: ' + res.status + ' ' + await res.text());
  return (await res.json()).access_token;
}
const token = await accessToken('telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com');
const api = sheetsAPI({ version: 'v4', rootUrl: endpoint, headers: { Authorization: 'Bearer ' + token } });
const idKeys = new Set(['sheetId', 'namedRangeId', 'protectedRangeId']);

// Sessions whose state comes from outside them (Drive listings, CSV
// imports, another owner's spreadsheet) are left to the Go replay.
const skipSessions = /openall|open_all|import_csv|access_private/;

function pair(w, h, recToEmu) {
  if (!w || !h || typeof w !== 'object' || typeof h !== 'object') return;
  for (const k of Object.keys(w)) {
    if (!(k in h)) continue;
    if (idKeys.has(k)) recToEmu.set(w[k], h[k]);
    else pair(w[k], h[k], recToEmu);
  }
}

function rename(v, m) {
  if (Array.isArray(v)) return v.map((x) => rename(x, m));
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = idKeys.has(k) && m.has(x) ? m.get(x) : rename(x, m);
    return o;
  }
  return v;
}

function call(method, u, body) {
  const path = u.pathname;
  const params = {};
  for (const k of new Set(u.searchParams.keys())) {
    const all = u.searchParams.getAll(k);
    params[k] = k === 'ranges' ? all : all[0];
  }
  if (body !== undefined) params.requestBody = body;
  const m = path.match(/^\/v4\/spreadsheets\/([^/:]+)(.*)$/);
  if (!m) throw new Error('unrouted ' + path);
  params.spreadsheetId = decodeURIComponent(m[1]);
  const rest = m[2];
  const s = api.spreadsheets, v = api.spreadsheets.values;
  if (rest === '' && method === 'GET') return s.get(params);
  if (rest === ':batchUpdate') return s.batchUpdate(params);
  if (rest === '/values:batchGet') return v.batchGet(params);
  if (rest === '/values:batchUpdate') return v.batchUpdate(params);
  if (rest === '/values:batchClear') return v.batchClear(params);
  const r = rest.match(/^\/values\/([^:]*)(:append|:clear)?$/);
  if (r) {
    params.range = decodeURIComponent(r[1]);
    if (r[2] === ':append') return v.append(params);
    if (r[2] === ':clear') return v.clear(params);
    return method === 'PUT' ? v.update(params) : v.get(params);
  }
  throw new Error('unrouted ' + method + ' ' + path);
}

let same = 0, differs = 0, skipped = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort()) {
  const name = file.replace(/\.json\.gz$/, '');
  const cassette = JSON.parse(gunzipSync(readFileSync(`${dir}/${file}`)));
  if (skipSessions.test(name)) { skipped += cassette.interactions.length; continue; }
  const recToEmu = new Map(), emuToRec = new Map();
  for (const [i, it] of cassette.interactions.entries()) {
    const { request: rq, response: rs } = it;
    const u = new URL(rq.uri);
    if (u.host !== 'sheets.googleapis.com') {
      // Drive made the spreadsheet; the emulator's create takes the id.
      if (rq.method === 'POST' && /\/drive\/v3\/files(\/[^/]+\/copy)?$/.test(u.pathname) && rs.status.code === 200) {
        const f = JSON.parse(rs.body.string);
        await api.spreadsheets.create({ requestBody: { spreadsheetId: f.id, properties: { title: f.name } } });
      }
      skipped++;
      continue;
    }
    let body = rq.body ? JSON.parse(rq.body) : undefined;
    if (body !== undefined) body = rename(body, recToEmu);
    let status, data;
    try {
      const res = await call(rq.method, u, body);
      status = res.status; data = res.data;
    } catch (e) {
      if (!e.response) throw e;
      status = e.response.status; data = e.response.data;
    }
    const want = rs.body.string.trim() ? JSON.parse(rs.body.string) : '';
    pair(want, data, recToEmu);
    for (const [k, v] of recToEmu) emuToRec.set(v, k);
    const have = rename(data === undefined ? '' : data, emuToRec);
    if (status === rs.status.code && isDeepStrictEqual(want, have)) same++;
    else {
      differs++;
      console.log(`differs: ${name}#${i} ${rq.method} ${u.pathname}: status ${status} want ${rs.status.code}`);
    }
  }
}
console.log(`node client (@googleapis/sheets): ${same} same, ${differs} differ, ${skipped} skipped`);
console.log(`${same} passed, ${differs} failed`);
process.exit(differs > 0 ? 1 : 0);
