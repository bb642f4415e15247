const spec = require("./package/generated/api.github.com.json");
const want = [
  ['get','/app'],['get','/app/installations'],['get','/app/installations/{installation_id}'],
  ['post','/app/installations/{installation_id}/access_tokens'],['post','/app-manifests/{code}/conversions'],
  ['get','/orgs/{org}/installation'],['get','/installation/repositories'],
  ['put','/app/installations/{installation_id}/suspended'],['delete','/app/installations/{installation_id}/suspended'],
  ['delete','/app/installations/{installation_id}'],
  // Publish-GitSshKey: a repository's deploy keys and the token user's keys.
  ['get','/repos/{owner}/{repo}/keys'],['post','/repos/{owner}/{repo}/keys'],
  ['delete','/repos/{owner}/{repo}/keys/{key_id}'],
  ['get','/user/keys'],['post','/user/keys'],['delete','/user/keys/{key_id}'],
];
const resolve = r => r.split('/').slice(1).reduce((o,k)=>o[k], spec);
const out = {};
// The request bodies' documented fields (name -> JSON type) and which are required, for the stand-ins' checks.
const requests = {};
for (const [m,p] of want) {
  const op = spec.paths[p][m];
  const key = m.toUpperCase()+' '+p;
  out[key] = {};
  for (const [code, resp0] of Object.entries(op.responses)) {
    const resp = resp0.$ref ? resolve(resp0.$ref) : resp0;
    const ex = resp.content?.['application/json']?.examples;
    if (!ex) { out[key][code] = null; continue; }
    const first = Object.values(ex)[0];
    out[key][code] = first.$ref ? resolve(first.$ref).value : first.value;
  }
  const schema = op.requestBody?.content?.['application/json']?.schema;
  if (schema?.properties) {
    const props = {};
    for (const [name, s] of Object.entries(schema.properties)) props[name] = (s.$ref ? resolve(s.$ref) : s).type;
    const ex = op.requestBody.content['application/json'].examples;
    requests[key] = { required: schema.required || [], properties: props,
      example: ex ? Object.values(ex)[0].value : null };
  }
}

require('fs').writeFileSync('github-examples.json', JSON.stringify(out, null, 1));
require('fs').writeFileSync('github-requests.json', JSON.stringify(requests, null, 1));
console.log(Object.entries(out).map(([k,v])=>k+' '+Object.keys(v).join(',')).join('\n'));
console.log(spec.info.version);
