import { artifactMedia } from './artifact-kind.js';

/**
 * Harbor's accessory types. A manifest whose `subject` is an artifact is an accessory of it,
 * typed as Harbor's subject middleware does (src/server/middleware/subject): by artifactType,
 * else by config media type. cosign's tag convention (`sha256-<hex>.sig`, `.att`, `.sbom` in the
 * subject's repository) is the older way; Harbor recognises `.sig` only; `.att` and `.sbom` are
 * Haven's, named after what cosign puts there.
 */
export type AccessoryType =
  | 'signature.cosign'
  | 'signature.notation'
  | 'sbom.harbor'
  | 'accelerator.nydus'
  | 'subject.accessory'
  | 'attestation.cosign'
  | 'sbom.cosign';

const nydusBootstrap = 'containerd.io/snapshot/nydus-bootstrap';

export function subjectAccessoryType(m: {
  artifactType: string | null;
  configMediaType: string | null;
  lastLayerAnnotations?: Record<string, string> | null | undefined;
}): AccessoryType {
  const from = m.artifactType || m.configMediaType || '';
  switch (from) {
    case artifactMedia.ociConfig:
    case 'application/vnd.docker.container.image.v1+json':
      return m.lastLayerAnnotations && nydusBootstrap in m.lastLayerAnnotations ? 'accelerator.nydus' : 'subject.accessory';
    case artifactMedia.notarySignature:
      return 'signature.notation';
    case artifactMedia.cosignConfig:
    case artifactMedia.sigstoreBundle:
      return 'signature.cosign';
    case artifactMedia.harborSbom:
      return 'sbom.harbor';
    default:
      return 'subject.accessory';
  }
}

const cosignTag = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;

/** The subject digest and accessory type a cosign-convention tag names, or null. */
export function cosignTagSubject(tag: string): { subject: string; type: AccessoryType } | null {
  const m = cosignTag.exec(tag);
  if (!m) return null;
  const type: AccessoryType = m[2] === 'sig' ? 'signature.cosign' : m[2] === 'att' ? 'attestation.cosign' : 'sbom.cosign';
  return { subject: `sha256:${m[1]}`, type };
}

/** The tags cosign would use for accessories of `digest` (sha256 only, as cosign). */
export function cosignTagsFor(digest: string): string[] {
  if (!digest.startsWith('sha256:')) return [];
  const base = `sha256-${digest.slice('sha256:'.length)}`;
  return [`${base}.sig`, `${base}.att`, `${base}.sbom`];
}
