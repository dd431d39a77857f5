import type { Creds } from '../helpers/api-client.js';
import { imageParts, pushManifest, referrerParts } from '../helpers/artifacts.js';
import { asAdmin } from '../helpers/oci.js';
import type { MatrixContext, OperationGroup } from './operation.js';

/** The matrix's API client, taken at setup (operations only get the caller and the project). */
let ctx: MatrixContext | undefined;
const get = (as: Creds | null, path: string) => ctx!.api('GET', path, { as });

/** Harbor's artifact reads: listArtifacts (artifact:list), getArtifact (artifact:read), listAccessories (accessory:list); and Haven's manifest read (artifact:read). */
export const artifactReadOperations: OperationGroup = {
  name: 'artifact reads',
  async setup(c, p) {
    ctx = c;
    const reg = asAdmin(c.h);
    const image = await pushManifest(reg, `${p.name}/reads`, 'v1', imageParts({ nonce: `matrix-${p.name}` }));
    await pushManifest(reg, `${p.name}/reads`, null, referrerParts('application/vnd.cncf.notary.signature', 'application/jose+json', Buffer.from(`{"p":"${p.name}"}`), image));
    p.fixtures.readsDigest = image.digest;
  },
  operations: [
    {
      name: 'GET /projects/{name}/repositories/{repo}/artifacts',
      permission: 'artifact:list',
      okStatus: 200,
      attempt: (as, p) => get(as, `/projects/${p.name}/repositories/reads/artifacts?with_accessory=true&with_label=true`),
    },
    {
      name: 'GET /projects/{name}/repositories/{repo}/artifacts/{digest}',
      permission: 'artifact:read',
      okStatus: 200,
      attempt: (as, p) => get(as, `/projects/${p.name}/repositories/reads/artifacts/${String(p.fixtures.readsDigest)}`),
    },
    {
      name: 'GET /projects/{name}/repositories/{repo}/artifacts/{tag}',
      permission: 'artifact:read',
      okStatus: 200,
      attempt: (as, p) => get(as, `/projects/${p.name}/repositories/reads/artifacts/v1?with_accessory=true`),
    },
    {
      name: 'GET /projects/{name}/repositories/{repo}/artifacts/{digest}/accessories',
      permission: 'accessory:list',
      okStatus: 200,
      attempt: (as, p) => get(as, `/projects/${p.name}/repositories/reads/artifacts/${String(p.fixtures.readsDigest)}/accessories`),
    },
    {
      // Haven's own (the portal's artifact detail), under getArtifact's permission.
      name: 'GET /projects/{name}/repositories/{repo}/artifacts/{digest}/manifest',
      permission: 'artifact:read',
      okStatus: 200,
      attempt: (as, p) => get(as, `/projects/${p.name}/repositories/reads/artifacts/${String(p.fixtures.readsDigest)}/manifest`),
    },
  ],
};
