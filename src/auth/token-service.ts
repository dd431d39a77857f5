import { createPrivateKey, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  importJWK,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import type { ResourceScope } from '../domain/identity/scope.js';
import { createMemoryCache } from '../platform/cache.js';

const algorithm = 'ES256';

/**
 * What a token was granted for, beyond names: the user or robot it speaks for and the project
 * behind each name it grants anything in, by id. Ids are never reused, so a token stops working
 * when its user, robot or project is deleted, even if something new takes the name.
 */
export interface TokenBinding {
  /** Null for an anonymous caller. */
  principal: { kind: 'user' | 'robot'; id: number } | null;
  /** Project name -> project id when the token was issued. */
  projects: Record<string, number>;
}

export interface TokenClaims {
  subject: string;
  access: ResourceScope[];
  bound: TokenBinding;
  expiresAt: number;
}

export interface TokenServiceOptions {
  issuer: string;
  /** The `service` clients name in token requests; also the audience. */
  service: string;
  /** A token's lifetime, asked at each issue: the administrator may change it (token_expiration). */
  ttlSeconds: number | (() => Promise<number>);
}

/**
 * Issues and verifies registry bearer tokens (Docker token protocol, JWT ES256) with an EC P-256
 * private key in PEM (from configuration, shared by every instance, or kept in the data dir; see
 * key-files.ts), so tokens survive restarts and any instance honours another's. Verification pins the algorithm, issuer and audience: `alg: none`, HS256 signed with
 * the public key, and tokens for another service all fail.
 */
export async function createTokenService(signingKeyPem: string, opts: TokenServiceOptions) {
  const { privateKey, publicKey, kid } = await importKey(signingKeyPem);
  const verified = createMemoryCache<string, TokenClaims>({ max: 10_000 });

  return {
    service: opts.service,

    async issue(subject: string, access: ResourceScope[], bound: TokenBinding, now = Date.now()): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
      const iat = Math.floor(now / 1000);
      const ttl = typeof opts.ttlSeconds === 'number' ? opts.ttlSeconds : await opts.ttlSeconds();
      const token = await new SignJWT({ access, [bindingClaim]: bound })
        .setProtectedHeader({ alg: algorithm, kid, typ: 'JWT' })
        .setIssuer(opts.issuer)
        .setAudience(opts.service)
        .setSubject(subject)
        .setIssuedAt(iat)
        .setNotBefore(iat - 5)
        .setExpirationTime(iat + ttl)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresIn: ttl, issuedAt: new Date(iat * 1000).toISOString() };
    },

    /** The token's claims, or null for anything forged, expired, or meant for someone else. */
    async verify(token: string, now = Date.now()): Promise<TokenClaims | null> {
      // A token verified once is remembered (by its exact text) until it expires: clients send
      // the same token with every request, and an ES256 check costs more than serving a manifest.
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > now) return known;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: [algorithm],
          issuer: opts.issuer,
          audience: opts.service,
        });
        const claims = toClaims(payload);
        if (claims) verified.set(token, claims, claims.expiresAt - now);
        return claims;
      } catch {
        return null;
      }
    },
  };
}

/** Our own claim; registries that only read `access` ignore it. */
const bindingClaim = 'haven_bind';

function toBinding(v: unknown): TokenBinding | null {
  if (typeof v !== 'object' || v === null) return null;
  const { principal, projects } = v as { principal?: unknown; projects?: unknown };
  let who: TokenBinding['principal'] = null;
  if (principal !== null) {
    const p = principal as { kind?: unknown; id?: unknown } | undefined;
    if ((p?.kind !== 'user' && p?.kind !== 'robot') || !Number.isInteger(p.id)) return null;
    who = { kind: p.kind, id: p.id as number };
  }
  if (typeof projects !== 'object' || projects === null || Array.isArray(projects)) return null;
  const ids: Record<string, number> = Object.create(null);
  for (const [name, id] of Object.entries(projects)) {
    if (!Number.isInteger(id)) return null;
    ids[name] = id as number;
  }
  return { principal: who, projects: ids };
}

function toClaims(p: JWTPayload): TokenClaims | null {
  if (typeof p.sub !== 'string' || typeof p.exp !== 'number' || !Array.isArray(p.access)) return null;
  // A token without a binding (issued before bindings existed) cannot be checked: refused, so
  // the client fetches a new one.
  const bound = toBinding(p[bindingClaim]);
  if (!bound) return null;
  const access: ResourceScope[] = [];
  for (const a of p.access as unknown[]) {
    const e = a as Partial<ResourceScope>;
    if (typeof e?.type === 'string' && typeof e.name === 'string' && Array.isArray(e.actions)) {
      access.push({ type: e.type, name: e.name, actions: e.actions.filter((x): x is string => typeof x === 'string') });
    }
  }
  return { subject: p.sub, access, bound, expiresAt: p.exp * 1000 };
}

async function importKey(pem: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; kid: string }> {
  // Through node:crypto first, so SEC1 ("EC PRIVATE KEY", what openssl ecparam writes) works too.
  const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }) as string;
  const privateKey = await importPKCS8(pkcs8, algorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const publicJwk = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
  const publicKey = (await importJWK(publicJwk, algorithm)) as CryptoKey;
  return { privateKey, publicKey, kid: await calculateJwkThumbprint(publicJwk) };
}

export type TokenService = Awaited<ReturnType<typeof createTokenService>>;
