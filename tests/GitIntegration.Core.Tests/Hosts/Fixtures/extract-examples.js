// Extracts, for each key operation the host stand-ins replay, the example requests and responses each git host
// documents, into <host>-examples.json. Sources and how to fetch them: README.md beside this file.
// Usage: node extract-examples.js <gitlab-doc-dir> <bitbucket-cloud.json> <bitbucket-dc.json> <gitea.json>
const fs = require('fs');
const [gitlabDir, cloudFile, dcFile, giteaFile] = process.argv.slice(2);
const defaultStatus = { GET: '200', POST: '201', PUT: '200', DELETE: '204' };

// A documented example that is not valid JSON is repaired only for the one defect seen in the sources (a missing
// comma at the end of a line), and the repair is recorded next to the example.
function parseJson(text) {
  try { return { value: JSON.parse(text) }; } catch (e) { /* try the repair below */ }
  const lines = text.split('\n');
  const fixed = [];
  for (let i = 0; i < lines.length; i++) {
    const next = (lines[i + 1] || '').trim();
    const missing = /["\d\]}el]$/.test(lines[i].trim()) && next.startsWith('"');
    if (missing) fixed.push(i + 1);
    lines[i] = missing ? lines[i] + ',' : lines[i];
  }
  return { value: JSON.parse(lines.join('\n')), repaired: 'added the missing comma after line(s) ' + fixed.join(', ') };
}

// GitLab: its API pages are markdown; each "## " section documents one operation.
function gitlab(file, wanted) {
  const out = {};
  const text = fs.readFileSync(file, 'utf8');
  for (const section of text.split(/^## /m).slice(1)) {
    const heading = section.split('\n')[0].trim();
    const op = /```plaintext\n(GET|POST|PUT|DELETE) (\S+)\n```/.exec(section);
    if (!op || !wanted.includes(op[1] + ' ' + op[2])) continue;
    const data = /--data '([^']*)'/.exec(section);
    const responses = {};
    const ok = /status code (\d{3})|`(\d{3}) [A-Z][a-z]/.exec(section);
    const status = ok ? ok[1] || ok[2] : defaultStatus[op[1]];
    const example = /Example response:\n\n```json\n([\s\S]*?)\n```/.exec(section);
    responses[status] = example ? { from: 'documented example', ...parseJson(example[1]) }
      : { from: 'documented: no body' };
    const error = /`(\d{3}) Bad Request` error[^\n]*:\n\n\s*```json\n([\s\S]*?)\n\s*```/.exec(section);
    if (error) responses[error[1]] = { from: 'documented example', ...parseJson(error[2]) };
    out[op[1] + ' ' + op[2]] = {
      source: file.split('/').pop() + '#' + heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'),
      request: data ? parseJson(data[1]).value : null,
      shape: op[1] === 'POST' || op[1] === 'PUT' ? tableShape(section, op[2]) : undefined,
      responses,
    };
  }
  for (const w of wanted) if (!out[w]) throw new Error(w + ' is not documented in ' + file);
  return out;
}

// The request fields a GitLab section's attribute table documents (path parameters left out): name -> JSON type.
function tableShape(section, path) {
  const shape = { required: [], properties: {} };
  const types = { string: 'string', datetime: 'string', boolean: 'boolean', integer: 'integer' };
  for (const row of section.matchAll(/^\| `(\w+)` +\| ([\w/]+) +\| (yes|no) /gm)) {
    if (path.includes(':' + row[1])) continue;
    shape.properties[row[1]] = types[row[2]] || 'string';
    if (row[3] === 'yes') shape.required.push(row[1]);
  }
  return shape;
}

// The request fields of an OpenAPI schema (writable ones) or of a documented example: name -> JSON type, and the
// same for each field that is itself an object (`nested`).
function schemaShape(schema, deref) {
  const flat = s => {
    s = deref(s);
    if (!s.allOf) return s;
    const parts = s.allOf.map(flat);
    return Object.assign({}, ...parts, { properties: Object.assign({}, ...parts.map(x => x.properties || {})),
      required: [].concat(...parts.map(x => x.required || [])) });
  };
  schema = flat(schema);
  const shape = { required: schema.required || [], properties: {}, nested: {} };
  for (const [k, p0] of Object.entries(schema.properties || {})) {
    const p = flat(p0);
    if (p.readOnly) continue;
    shape.properties[k] = p.type || (p.properties ? 'object' : 'string');
    if (shape.properties[k] === 'number') shape.properties[k] = 'integer';
    if (p.properties) shape.nested[k] = schemaShape(p, deref);
  }
  return shape;
}
const exampleShape = example => ({ required: [], properties: Object.fromEntries(Object.entries(example)
  .map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v === 'number' ? 'integer' : typeof v])) });

// OpenAPI: examples where the description has them; otherwise an instance built from the schema, using the
// schema's own `example` values and, where it has none, the first enum value or a neutral value of its type.
function openapi(spec, wanted, requestFromDescription) {
  const resolve = ref => ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  const deref = x => (x && x.$ref ? deref(resolve(x.$ref)) : x);
  const build = (schema, depth, forRequest) => {
    schema = deref(schema);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map(s => build(s, depth, forRequest)));
    if (schema.example !== undefined) return schema.example;
    if (schema.enum) return schema.enum[0];
    if (schema.type === 'array') return depth > 3 ? [] : [build(schema.items, depth + 1, forRequest)];
    if (schema.type === 'object' || schema.properties) {
      if (depth > 3) return {};
      const o = {};
      for (const [k, p] of Object.entries(schema.properties || {})) {
        const d = deref(p);
        if (forRequest ? d.readOnly : d.writeOnly) continue;
        o[k] = build(p, depth + 1, forRequest);
      }
      return o;
    }
    const neutral = { integer: 0, number: 0, boolean: false };
    if (schema.format === 'date-time') return '1970-01-01T00:00:00Z';
    return schema.type in neutral ? neutral[schema.type] : 'string';
  };
  const name = s => (s && s.$ref ? s.$ref.split('/').pop()
    : s && s.type === 'array' && s.items.$ref ? s.items.$ref.split('/').pop() + '[]'
      : 'inline {' + Object.entries(s.properties || {}).map(([k, p]) => k + (p.items ? ': ' + name(p.items) + '[]'
        : p.$ref ? ': ' + name(p) : '')).join(', ') + '}');
  const out = {};
  for (const w of wanted) {
    const [method, path] = w.split(' ');
    const op = spec.paths[path][method.toLowerCase()];
    const body = op.requestBody && deref(op.requestBody).content['application/json'];
    const documented = requestFromDescription && requestFromDescription(op.description || '');
    const request = documented ? { from: 'documented example', value: documented }
      : body ? { from: 'built from schema ' + name(body.schema), value: build(body.schema, 0, true) } : null;
    const responses = {};
    for (const [status, r0] of Object.entries(op.responses)) {
      const r = deref(r0);
      const json = r.content && r.content['application/json'];
      const examples = json && (json.examples || (json.example !== undefined && { e: { value: json.example } }));
      responses[status] = examples ? { from: 'documented example', value: deref(Object.values(examples)[0]).value }
        : json && json.schema ? { from: 'built from schema ' + name(json.schema), value: build(json.schema, 0) }
          : { from: 'documented: no body', description: r.description };
    }
    const shape = body ? { from: 'schema ' + name(body.schema), ...schemaShape(body.schema, deref) }
      : documented ? { from: 'documented example', ...exampleShape(documented) } : undefined;
    // A field the schema requires but the documented example leaves out is not required of a client.
    const omitted = shape && documented ? shape.required.filter(f => !(f in documented)) : [];
    if (omitted.length) {
      shape.required = shape.required.filter(f => f in documented);
      shape.notRequired = 'the documented example omits ' + omitted.join(', ');
    }
    out[w] = { operationId: op.operationId, request, shape, responses };
  }
  return out;
}

// Bitbucket Cloud documents request bodies only inside curl examples in the operation's description.
const curlBody = d => {
  const m = /-d\s*\\?\s*'(\{[\s\S]*?\})'/.exec(d);
  return m ? JSON.parse(m[1]) : null;
};
const read = f => JSON.parse(fs.readFileSync(f, 'utf8'));
const write = (name, value) => {
  fs.writeFileSync(name + '-examples.json', JSON.stringify(value, null, 1) + '\n');
  console.log(name + ': ' + Object.keys(value).join(', '));
};

write('gitlab', {
  ...gitlab(gitlabDir + '/deploy_keys.md', ['GET /projects/:id/deploy_keys', 'GET /projects/:id/deploy_keys/:key_id',
    'POST /projects/:id/deploy_keys', 'DELETE /projects/:id/deploy_keys/:key_id',
    'POST /projects/:id/deploy_keys/:key_id/enable']),
  ...gitlab(gitlabDir + '/user_keys.md', ['GET /user/keys', 'GET /user/keys/:key_id', 'POST /user/keys',
    'DELETE /user/keys/:key_id']),
});
const cloud = read(cloudFile);
write('bitbucket-cloud', openapi(cloud, ['GET /user', 'GET /repositories/{workspace}/{repo_slug}/deploy-keys',
  'POST /repositories/{workspace}/{repo_slug}/deploy-keys',
  'DELETE /repositories/{workspace}/{repo_slug}/deploy-keys/{key_id}', 'GET /users/{selected_user}/ssh-keys',
  'POST /users/{selected_user}/ssh-keys', 'DELETE /users/{selected_user}/ssh-keys/{key_id}'], curlBody));
const dc = read(dcFile);
write('bitbucket-dc', openapi(dc, ['GET /keys/latest/projects/{projectKey}/repos/{repositorySlug}/ssh',
  'POST /keys/latest/projects/{projectKey}/repos/{repositorySlug}/ssh',
  'DELETE /keys/latest/projects/{projectKey}/repos/{repositorySlug}/ssh/{keyId}',
  'GET /keys/latest/projects/{projectKey}/ssh', 'POST /keys/latest/projects/{projectKey}/ssh',
  'DELETE /keys/latest/projects/{projectKey}/ssh/{keyId}', 'GET /ssh/latest/keys', 'POST /ssh/latest/keys',
  'DELETE /ssh/latest/keys/{keyId}']));
const gitea = read(giteaFile);
write('gitea', openapi(gitea, ['GET /repos/{owner}/{repo}/keys', 'POST /repos/{owner}/{repo}/keys',
  'DELETE /repos/{owner}/{repo}/keys/{id}', 'GET /user/keys', 'POST /user/keys', 'DELETE /user/keys/{id}']));
console.log([cloud.info.title + ' ' + cloud.info.version, dc.info.title + ' ' + dc.info.version,
  gitea.info.title + ' ' + gitea.info.version].join('; '));
