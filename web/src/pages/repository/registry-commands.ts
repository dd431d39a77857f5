import { useSession } from '../../auth/session';

/**
 * The host clients push to: the system's registry_url when the administrator set one (without
 * its scheme), else the host this portal is served from, which is the same server.
 */
export function useRegistryHost(): { host: string; insecure: boolean } {
  const { system } = useSession();
  const configured = system?.registry_url?.trim();
  if (configured) {
    const insecure = configured.startsWith('http://');
    return { host: configured.replace(/^https?:\/\//, '').replace(/\/+$/, ''), insecure };
  }
  return { host: window.location.host, insecure: window.location.protocol === 'http:' };
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
