import { useSession } from '../../auth/session';

/**
 * The host clients push to: the system's registry_url (the external URL without its scheme, as
 * Harbor answers it), else the host this portal is served from, which is the same server. Plain
 * HTTP needs podman's and skopeo's --tls-verify=false, so the commands carry it then.
 */
export function useRegistryHost(): { host: string; insecure: boolean } {
  const { system } = useSession();
  const host = system?.registry_url?.replace(/^https?:\/\//, '').replace(/\/+$/, '') || window.location.host;
  const scheme = system?.external_url?.match(/^(https?):/)?.[1] ?? window.location.protocol.replace(':', '');
  return { host, insecure: scheme === 'http' };
}

export type PullTool = 'docker' | 'podman' | 'skopeo';
export const pullTools: PullTool[] = ['docker', 'podman', 'skopeo'];

/** `image` is "host/project/repo:tag" or "host/project/repo@sha256:..." */
export function pullCommand(tool: PullTool, image: string, insecure: boolean): string {
  const local = (image.split('/').pop() ?? image).replace('@sha256:', '@').split(/[:@]/)[0] ?? 'image';
  if (tool === 'docker') return `docker pull ${image}`;
  if (tool === 'podman') return `podman pull ${insecure ? '--tls-verify=false ' : ''}${image}`;
  return `skopeo copy ${insecure ? '--src-tls-verify=false ' : ''}docker://${image} oci:${local}`;
}

export function loginCommand(host: string, insecure: boolean): string {
  return `podman login ${insecure ? '--tls-verify=false ' : ''}${host}`;
}

export function pushCommand(host: string, project: string, insecure: boolean): string {
  return `podman push ${insecure ? '--tls-verify=false ' : ''}${host}/${project}/<image>:<tag>`;
}
