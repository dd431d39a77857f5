import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobService } from '../../services/registry/blob-service.js';
import type { DiscoveryService } from '../../services/registry/discovery-service.js';
import type { ManifestService } from '../../services/registry/manifest-service.js';
import type { PullTracker } from '../../services/registry/pull-tracker.js';
import type { UploadService } from '../../services/registry/upload-service.js';
import type { RegistryAccess } from './access.js';
import type { locations } from './headers.js';

export interface OciServices {
  blobs: BlobService;
  uploads: UploadService;
  manifests: ManifestService;
  discovery: DiscoveryService;
  access: RegistryAccess;
  /** Pull time and count (Harbor's), recorded off the request path. */
  pulls?: Pick<PullTracker, 'record'>;
  /** storage.filesystem.accelRedirect: where nginx finds a blob's file (X-Accel-Redirect); absent: Haven sends it. */
  accelRedirect?: (digest: string) => string;
}

/** What every /v2 handler receives: the request, its reply, parsed query and the services. */
export interface OciContext {
  req: FastifyRequest;
  reply: FastifyReply;
  query: URLSearchParams;
  services: OciServices;
  urls: ReturnType<typeof locations>;
}
