import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import { imageManifestTypes, indexManifestTypes, isForeignLayer, mediaTypes } from './media-types.js';

export const maxManifestBytes = 4 * 1024 * 1024;

const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  artifactType: z.string().optional(),
  platform: z.unknown().optional(),
});

export type Descriptor = z.infer<typeof descriptorSchema>;

const imageSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export interface ParsedManifest {
  mediaType: string;
  /** Explicit artifactType, else the config media type for image manifests (as the referrers API wants). */
  artifactType: string | null;
  subject: Descriptor | null;
  annotations: Record<string, string> | null;
  /** Blobs the repository must hold before this manifest is accepted. */
  blobs: Descriptor[];
  /** Manifests (index children) the repository must hold. */
  manifests: Descriptor[];
  /** The config of an image manifest (null for an index). */
  config: Descriptor | null;
  /** Every layer of an image manifest, foreign ones included. */
  layers: Descriptor[];
}

/**
 * Validates a manifest body against the media type it was pushed with. The body itself is kept
 * verbatim by the caller: this only reads it.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AppError('MANIFEST_INVALID', 'manifest must be a JSON object');
  }
  const declared = (json as { mediaType?: unknown }).mediaType;
  if (declared !== undefined && typeof declared !== 'string') {
    throw new AppError('MANIFEST_INVALID', 'mediaType must be a string');
  }
  const ct = contentType?.split(';')[0]?.trim() || undefined;
  if (declared && ct && ct !== declared) {
    throw new AppError('MANIFEST_INVALID', `Content-Type "${ct}" does not match the manifest's mediaType "${declared}"`);
  }
  const mediaType = declared ?? ct ?? guessMediaType(json as Record<string, unknown>);
  if (imageManifestTypes.has(mediaType)) return parseImage(json, mediaType);
  if (indexManifestTypes.has(mediaType)) return parseIndex(json, mediaType);
  throw new AppError('MANIFEST_INVALID', `unsupported manifest media type "${mediaType.slice(0, 200)}"`);
}

function guessMediaType(json: Record<string, unknown>): string {
  if (Array.isArray(json.manifests)) return mediaTypes.ociIndex;
  return mediaTypes.ociManifest;
}

function parseImage(json: unknown, mediaType: string): ParsedManifest {
  const r = imageSchema.safeParse(json);
  if (!r.success) throw invalid(r.error);
  const m = r.data;
  const all = [m.config, ...m.layers, ...(m.subject ? [m.subject] : [])];
  all.forEach(checkDescriptorDigest);
  return {
    mediaType,
    artifactType: m.artifactType ?? m.config.mediaType,
    subject: m.subject ?? null,
    annotations: m.annotations ?? null,
    blobs: [m.config, ...m.layers.filter((l) => !isForeignLayer(l.mediaType))],
    manifests: [],
    config: m.config,
    layers: m.layers,
  };
}

function parseIndex(json: unknown, mediaType: string): ParsedManifest {
  const r = indexSchema.safeParse(json);
  if (!r.success) throw invalid(r.error);
  const m = r.data;
  [...m.manifests, ...(m.subject ? [m.subject] : [])].forEach(checkDescriptorDigest);
  return {
    mediaType,
    artifactType: m.artifactType ?? null,
    subject: m.subject ?? null,
    annotations: m.annotations ?? null,
    blobs: [],
    manifests: m.manifests,
    config: null,
    layers: [],
  };
}

function checkDescriptorDigest(d: Descriptor): void {
  try {
    parseDigest(d.digest);
  } catch {
    throw new AppError('MANIFEST_INVALID', `descriptor has an invalid digest "${d.digest.slice(0, 150)}"`);
  }
}

function invalid(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || 'manifest';
  return new AppError('MANIFEST_INVALID', `${where}: ${issue?.message ?? 'invalid manifest'}`);
}
