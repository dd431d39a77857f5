/**
 * Turning rows of figures into the console summary and docs/benchmarks.md. Every ratio is
 * oriented so that >1 means Haven is better: Haven/distribution for throughputs,
 * distribution/Haven for latencies and times.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type BenchConfig, type TargetKind, workloadIds } from './config.js';
import type { Phase, Row } from './workloads.js';
import { benchProject, fmt, maxAuthOverheadPct, publicProject } from './workloads.js';

export interface Environment {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  haven: string;
  distribution: string;
  loadGenerators: string;
  sha256MBs: number;
  loopbackMBs: number;
  /** The bench's verifying pull client against a trivial server (limits.ts). */
  pullCeilingMBs: number;
  havenLogging: string;
  havenAuth: string;
  distributionLogging: string;
  runSeconds: number;
}

export function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export function physicalCores(): number {
  return os.availableParallelism();
}

export function baseEnvironment(): Pick<Environment, 'date' | 'node' | 'cpuModel' | 'cores' | 'memoryGiB' | 'kernel'> {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    cpuModel: cpuModel(),
    cores: physicalCores(),
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** Share of the machine's CPU capacity used by others above which a phase is flagged. */
export const noisyFraction = 0.1;

export function isNoisy(p: Phase, cores: number): boolean {
  return p.otherCpuSeconds > noisyFraction * cores * p.wallSeconds;
}

/** >1 means Haven is better, whatever the unit. */
export function ratio(row: Row): number | null {
  const h = row.values.haven;
  const d = row.values.distribution;
  if (h === undefined || d === undefined || !(h > 0) || !(d > 0)) return null;
  return row.better === 'higher' ? h / d : d / h;
}

export interface Verdict {
  label: string;
  met: boolean;
}

/** The issue's targets that apply to a row. */
export function verdicts(row: Row, env: Pick<Environment, 'loopbackMBs' | 'pullCeilingMBs'>): Verdict[] {
  const out: Verdict[] = [];
  const r = ratio(row);
  if (row.targetRatio !== undefined && !row.informational && r !== null) {
    out.push({ label: `ratio ≥ ${row.targetRatio.toFixed(1)}`, met: r >= row.targetRatio });
  }
  const h = row.values.haven;
  if (row.maxValue !== undefined && !row.informational && h !== undefined) {
    out.push({ label: `≤ ${row.maxValue}${row.unit === '%' ? '%' : ` ${row.unit}`}`, met: h <= row.maxValue });
  }
  if (row.loopbackFraction !== undefined && h !== undefined) {
    out.push({
      label: `Haven ≥ ${Math.round(row.loopbackFraction * 100)}% of loopback (is ${Math.round((h / env.loopbackMBs) * 100)}%; ${Math.round((h / env.pullCeilingMBs) * 100)}% of the verifying-client ceiling)`,
      met: h >= row.loopbackFraction * env.loopbackMBs,
    });
  }
  return out;
}

const show = (v: number | undefined) => (v === undefined ? '–' : fmt(v));
const showRatio = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);

export function consoleTable(rows: Row[], env: Pick<Environment, 'loopbackMBs' | 'pullCeilingMBs'>): string {
  const lines: string[] = [];
  let title = '';
  for (const row of rows) {
    if (row.title !== title) {
      title = row.title;
      lines.push('', title);
    }
    const v = verdicts(row, env)
      .map((x) => `${x.met ? 'MET' : 'MISSED'}: ${x.label}`)
      .join('; ');
    lines.push(
      `  ${row.metric.padEnd(70)} ${`${show(row.values.haven)} ${row.unit}`.padStart(16)} ${`${show(row.values.distribution)} ${row.unit}`.padStart(16)}   ${showRatio(ratio(row)).padStart(7)}${row.informational ? '  (not judged)' : ''}${v ? `  ${v}` : ''}`,
    );
  }
  return `${' '.repeat(72)}${'Haven'.padStart(16)} ${'distribution'.padStart(16)}   ratio (>1 = Haven better)${lines.join('\n')}`;
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Where each setup keeps its data, as the results' first sentence says it. */
const setupText: Record<BenchConfig['backend'], string> = {
  embedded: 'filesystem storage (Haven: SQLite metadata)',
  postgres: 'filesystem storage (Haven: metadata in a throwaway PostgreSQL cluster)',
  'postgres+s3': 'one local OpenStack Swift with s3api for blobs, a bucket each (distribution: its s3 driver; Haven: metadata in a throwaway PostgreSQL cluster)',
};

export function markdown(cfg: BenchConfig, rows: Row[], phases: Phase[], env: Environment): string {
  const out: string[] = [];
  const withBackends = phases.some((p) => p.backendCpuSeconds !== undefined);
  const phaseColumns = ['Phase', 'Registry', 'wall s', 'server CPU s', 'server CPU/wall', 'client CPU s', ...(withBackends ? ['backends CPU s'] : []), 'other CPU s', 'steal s'];
  const ratioNote = 'ratio: >1 means Haven is better (Haven/distribution for throughputs, distribution/Haven for latencies and times)';
  out.push(
    '# Benchmarks: Haven vs the CNCF distribution registry',
    '',
    `_Generated by \`npm run bench\` (bench/run.ts) on ${env.date}${cfg.quick ? ' — **BENCH_QUICK smoke run: small sizes, not representative**' : ''}. Do not edit by hand; re-run the bench._`,
    '',
    '## Results',
    '',
    `Both registries ran in the same bench run on 127.0.0.1 with fresh temporary data directories and ${setupText[cfg.backend]}, and received exactly the same requests. ${ratioNote}. MB = 10^6 bytes.`,
    '',
    ...(() => {
      const skipped = workloadIds.filter((w) => !cfg.workloads.includes(w));
      return skipped.length ? [`Workloads run: ${cfg.workloads.join(', ')}; not run: ${skipped.join(', ')}.${cfg.backend === 'embedded' ? '' : ' (search, nginx, instances and gc start Havens of their own on the embedded default or their own backends: their figures are in benchmarks.md.)'}`, ''] : [];
    })(),
    '| Workload | Measure | Haven | distribution | Ratio (>1 = Haven better) | Target | Met? |',
    '|---|---|---:|---:|---:|---|---|',
  );
  for (const row of rows) {
    const v = verdicts(row, env);
    const notes = (['haven', 'distribution'] as TargetKind[])
      .filter((k) => row.notes[k])
      .map((k) => `${k}: ${row.notes[k]}`);
    // A note that is the same for both, or on a Haven-only row, needs no registry name.
    const havenOnly = row.values.distribution === undefined;
    const uniqueNotes = [...new Set(notes.map((n) => (havenOnly ? n.replace(/^haven: /, '') : n.replace(/^(haven|distribution): (load generator: .*)$/, '$2'))))];
    const measure = `${row.metric}${uniqueNotes.length ? ` <br>_${uniqueNotes.join('; ')}_` : ''}`;
    out.push(
      `| ${esc(row.title)} | ${esc(measure)} | ${show(row.values.haven)} ${row.unit} | ${show(row.values.distribution)} ${row.unit} | ${showRatio(ratio(row))} | ${
        row.informational ? 'not judged' : v.map((x) => x.label).join('<br>') || '–'
      } | ${row.informational ? '' : v.map((x) => (x.met ? '✅ met' : '❌ missed')).join('<br>')} |`,
    );
  }
  const judged = rows.flatMap((r) => (r.informational ? [] : verdicts(r, env).map((v) => ({ r, v }))));
  const missed = judged.filter((j) => !j.v.met);
  out.push(
    '',
    `Targets from the issue: every throughput ratio ≥ 1.0, manifest GET req/s ≥ 1.5× distribution, large pull ≥ 80% of the loopback limit, authorization overhead on Haven's manifest GET ≤ ${maxAuthOverheadPct}%, a page of 100 artifacts of 10,000 in under 20 ms, /search over 100,000 repositories in under 50 ms, quota accounting under 1 ms per manifest PUT.${
      cfg.backend === 'postgres+s3'
        ? ' Issue 10 on PostgreSQL and S3: manifest GET and blob HEAD ≥ 3× distribution, push of 1 GiB ≥ 1.0× distribution on the same Swift.'
        : ` Issue 10 on the filesystem driver: push of 1 GiB ≥ 1.5× distribution monolithic and ≥ 2× chunked, at ≤ 1.75 server CPU-s per GiB; pull through nginx with accelRedirect ≥ 1.5×${cfg.backend === 'postgres' ? '; on PostgreSQL, manifest GET and blob HEAD ≥ 3× distribution' : ''}.`
    } **${judged.length - missed.length} of ${judged.length} met.**${
      missed.length ? ` Missed: ${missed.map((m) => `${m.r.title.split('.')[0]}. ${m.r.metric.split(' (')[0]}: ${m.v.label.split(' (')[0]}`).join('; ')}.` : ''
    }`,
    '',
    ...(() => {
      const noisy = phases.filter((p) => isNoisy(p, env.cores));
      return noisy.length
        ? [
            `⚠ Other activity on the machine used more than ${Math.round(noisyFraction * 100)}% of its CPU during ${noisy.length} of ${phases.length} timed phases (${noisy
              .map((p) => `${p.name} on ${p.target}`)
              .join(', ')}); those figures are less reliable. See "CPU per phase".`,
            '',
          ]
        : ['No timed phase saw other activity above ' + `${Math.round(noisyFraction * 100)}% of the machine's CPU.`, ''];
    })(),
    '## Machine limits',
    '',
    '| Limit | Value |',
    '|---|---:|',
    `| sha256, node crypto, one core, ${Math.round(cfg.shaBytes / 1024 / 1024)} MiB buffer | ${fmt(env.sha256MBs)} MB/s |`,
    `| loopback TCP, node sender (worker thread) → node receiver on 127.0.0.1, ${Math.round(cfg.loopbackBytes / 1024 / 1024)} MiB | ${fmt(env.loopbackMBs)} MB/s |`,
    `| verifying-client ceiling: the bench's pull client (node http, sha256 of every byte, one thread) against a trivial node HTTP server sending from one reused buffer | ${fmt(env.pullCeilingMBs)} MB/s |`,
    '',
    'Each limit is the best of runs made before and after the workloads. The verifying-client ceiling is the fastest any registry can be measured to pull here: receiving and hashing on one node thread costs more CPU than the loopback path itself, so "≥ 80% of the loopback limit" is out of reach of a verified pull on this machine whatever the registry does; the pull rows therefore also give Haven\'s share of that ceiling.',
    '',
    '## Environment',
    '',
    '| | |',
    '|---|---|',
    `| Date | ${env.date} |`,
    `| CPU | ${esc(env.cpuModel)}, ${env.cores} cores |`,
    `| Memory | ${env.memoryGiB} GiB |`,
    `| Kernel | ${esc(env.kernel)} |`,
    `| Node | ${env.node} |`,
    `| Haven | ${esc(env.haven)} |`,
    `| distribution | ${esc(env.distribution)} |`,
    `| Load generators | ${esc(env.loadGenerators)} |`,
    `| Bench wall time | ${Math.round(env.runSeconds)} s |`,
    '',
    '## CPU per phase',
    '',
    `CPU seconds (user + system) during each timed phase: the registry process; the client (this bench process and the wrk it ran); and **other**, the rest of the machine's busy CPU — mostly activity outside the bench competing for the ${env.cores} cores, plus kernel work on the bench's behalf that no process is charged for (loopback softirq, writeback threads flushing what a registry wrote) (flagged ⚠ when above ${Math.round(noisyFraction * 100)}% of the machine's capacity over the phase). Steal is time the hypervisor ran other guests. Server CPU/wall near 1.0 for Haven means its event-loop thread was saturated (libuv pool threads for file I/O and hashing can add a little); distribution's Go runtime can use every core.`,
    '',
    ...(withBackends
      ? [
          `**Backends** is the CPU of the ${cfg.backend === 'postgres+s3' ? 'PostgreSQL cluster (Haven\'s metadata) and of the Swift servers (both registries\' blobs)' : 'PostgreSQL cluster (Haven\'s metadata)'}, every process of theirs, on the same ${env.cores} cores: work the registry caused, not other activity.`,
          '',
        ]
      : []),
    `| ${phaseColumns.join(' | ')} |`,
    `|---|---|${phaseColumns.slice(2).map(() => '---:').join('|')}|`,
  );
  for (const p of phases) {
    const noisy = isNoisy(p, env.cores);
    const backend = withBackends ? ` ${p.backendCpuSeconds === undefined ? '–' : p.backendCpuSeconds.toFixed(2)} |` : '';
    out.push(
      `| ${esc(p.name)} | ${p.target} | ${p.wallSeconds.toFixed(2)} | ${p.serverCpuSeconds.toFixed(2)} | ${(p.serverCpuSeconds / p.wallSeconds).toFixed(2)} | ${p.clientCpuSeconds.toFixed(2)} |${backend} ${noisy ? '⚠ ' : ''}${p.otherCpuSeconds.toFixed(2)} | ${p.stealSeconds.toFixed(2)} |`,
    );
  }
  out.push(
    '',
    '## Method',
    '',
    `- **Setup.** Haven is started as \`node bin/haven.cjs serve --listen 127.0.0.1:0 --data-dir DIR --log-file DIR/haven.log\` (config file disabled with HAVEN_CONFIG=/dev/null, so all defaults: SQLite metadata with WAL and synchronous=FULL, blobs on the filesystem, fsync before every blob commit). Distribution is started as \`docker-registry serve DIR/config.yml\` with \`log: {level: warn}\`, \`storage: {filesystem: {rootdirectory: DIR/storage}, delete: {enabled: true}}\`, \`http: {addr: 127.0.0.1:PORT}\`.`,
    ...(cfg.backend === 'embedded'
      ? []
      : [
          `- **This setup (BENCH_BACKEND=${cfg.backend}).** Haven's metadata is in a throwaway PostgreSQL cluster from Debian (initdb into a temp dir, fsync on; test/backends/postgres.ts) through HAVEN_DATABASE_URL${
            cfg.backend === 'postgres+s3'
              ? ". Both registries keep their blobs in one single-node OpenStack Swift with s3api on loopback (test/backends/s3-swift), a bucket each: Haven with its S3 driver (5 MiB parts, storage.s3.redirect off, so it streams pulls itself), distribution with its s3 driver (`redirect: {disable: true}`, so it streams too)"
              : '; blobs stay on the filesystem for both'
          }. Those servers share the machine's ${env.cores} cores with the registries and the bench client: their CPU is the **backends** column of "CPU per phase".`,
        ]),
    `- **Authentication.** distribution runs without auth (as configured above). Haven: ${
      env.havenAuth === 'none'
        ? 'its /v2/ answered anonymously, so no credentials were sent: both registries did the same (no) authentication work.'
        : `started with HAVEN_ADMIN_PASSWORD set; the bench creates the private project \`bench\` as admin, then authenticates every registry request: ${env.havenAuth}. (4b. additionally uses a public project, anonymously and with a token, to measure that cost.) Haven's figures therefore include authentication and authorization work on every request that distribution does not do.`
    }`,
    `- **Logging.** Haven: ${env.havenLogging}. distribution: ${env.distributionLogging}. Both therefore write one line per request to a file; neither logs to a terminal.`,
    `- **CPU contention.** The machine has ${env.cores} cores and the load generator (this node process, or wrk) runs on the same machine as the registry, so client and server compete for CPU. That applies equally to both registries, but it favours a server that needs less CPU per request, and it caps what a multi-threaded server (distribution's Go runtime uses every core) can gain from parallelism. Haven serves requests on one event-loop thread.`,
    `- **Data.** Blob contents are built before the clock starts from a 16 MiB random pool: 1 MiB blocks, each starting with a 32-byte header unique to the blob and block, followed by a slice of the pool. All digests are computed up front; the large layer is streamed from pool slices and never held in one buffer. Both registries receive byte-identical blobs and manifests.`,
    `- **1. Push.** One client, keep-alive. Monolithic = POST to open a session, then one PUT ?digest= carrying the whole ${Math.round(cfg.bigBlobBytes / 1024 / 1024)} MiB body (distribution 2.8 ignores a body on POST ?digest=, so the single-request form is not comparable). Chunked = POST, one PATCH per ${Math.round(cfg.chunkBytes / 1024 / 1024)} MiB chunk with Content-Range (following each returned Location), then PUT ?digest= with no body. Timed from the POST to the 201. \`sync\` runs before each measurement so one registry's page-cache writeback does not land in the other's timing.`,
    `- **2. Pull.** GET of the monolithically pushed layer by 1 client, then by ${cfg.pullClients} concurrent clients (aggregate = bytes received by all / wall time). Every response is hashed with sha256 as it streams in and compared with the digest; the client is one node thread, so it is itself limited by the sha256 speed above.`,
    `- **3. Small images.** ${cfg.images} images, each ${cfg.layersPerImage} layers of 64 KiB–1 MiB (sizes from a fixed-seed PRNG) + a config + an OCI manifest, pushed to one repository by ${cfg.pushWorkers} concurrent workers, each blob as docker does it: HEAD (404), POST, PUT ?digest= with body; then PUT manifest by tag. After timing, every manifest is read back by tag and its sha256 checked.`,
    `- **4. Request load.** ${cfg.loadRequests.toLocaleString('en-US')} requests over ${cfg.loadConnections} keep-alive connections after an untimed warm-up, for GET of a manifest by tag (Accept: OCI manifest) and HEAD of a layer. Every response is verified (status 200, Docker-Content-Digest; for GET the exact manifest bytes, for HEAD the Content-Length). wrk (when installed) drives the GETs with one thread and a Lua script that stops after the fixed count and times the run itself; HEAD is driven by the node generator (raw http.request over a keep-alive agent) because wrk 4.1 hangs waiting for a body after a HEAD response with Content-Length. Latency percentiles are per request from the generator's view, including queueing at the server.`,
    `- **4b. Cost of authorization (Haven only).** distribution has no authorization to compare with, so Haven is compared with itself. Untimed, the image whose manifest 4. loads is pushed again (same layers, config and manifest bytes) into a second project, \`${publicProject}\`, created public by the admin (POST /api/v2.0/projects with \`metadata.public = "true"\`); the bench checks that it reads back without credentials while the copy in the private \`${benchProject}\` answers 401 to an anonymous GET. Then the same load as 4. (${cfg.loadRequests.toLocaleString('en-US')} GETs by tag, ${cfg.loadConnections} connections, every response verified) runs against \`${publicProject}\` twice: with no Authorization header (anonymous, allowed because the project is public) and with ${env.havenAuth === 'none' ? 'the bench\'s credentials' : 'a Bearer token from /service/token (pull+push on that repository, the same flow as for \`bench\`)'} on every request. Same bytes, same repository, same visibility: the difference is what authenticating and authorizing a request costs. Haven remembers a verified token until it expires, so after the first request that cost is the per-request lookup of the token and the check of its scopes, which is what a client holding a token pays. ${cfg.authRounds > 1 ? `The pair runs ${cfg.authRounds} times, alternating which goes first; the best of each counts. ` : ''}Authorization overhead = 1 − (token req/s ÷ anonymous req/s); the issue asks for ≤ ${maxAuthOverheadPct}%. Anonymous requests are not free of authorization either: Haven decides them from the project's visibility, read from its database on each request, while a token carries its grants, so the overhead can come out negative. The private-project row repeats 4.'s throughput for reference (private project, token), not judged.`,
    `- **5. Tags.** One manifest is pushed under ${cfg.tags.toLocaleString('en-US')} tags by ${cfg.tagPushConcurrency} concurrent clients (setup rate shown, not judged). Then the full listing (GET /v2/<repo>/tags/list, no n) is repeated ${cfg.listRepeats} times and a paginated walk (n=${cfg.tagPageSize}, following Link rel="next") ${cfg.walkRepeats} times; every listing is checked to contain exactly the pushed tags. distribution 2.8 ignores n and last on tags/list and returns all tags, unsorted, in one response, so its "paginated walk" is one full listing: that row compares different amounts of work.`,
    `- **6. Artifact list (Haven only).** ${cfg.artifacts.toLocaleString('en-US')} manifests (one shared config and layer, a nonce annotation each) are pushed by tag into one repository through /v2 (setup rate in the note). Then GET /api/v2.0/projects/bench/repositories/artifacts/artifacts?page_size=100&with_tag=true (Harbor's listArtifacts, Basic auth as admin) is asked ${cfg.artifactListRepeats} times in a row on one keep-alive connection, for page 1 and for page 51 (offset 5,000), after 10 untimed requests each; every answer is checked (100 artifacts, one tag each, X-Total-Count). The figure is the worse of the two p50s; the issue asks for under 20 ms.`,
    `- **7. /search (Haven only).** A fresh Haven's database is seeded directly (SQLite inserts while the server runs; WAL) with 100,000 repositories in 1,000 projects, half public, the searching user a member of 10 private ones. GET /api/v2.0/search?q=<term> is asked 300 times in a row per row after 5 untimed requests, as the administrator and as that user, for a term in every name, one in every project and repository name, and one matching a single name; the issue asks for a p50 under 50 ms. BENCH_SEARCH_REPOS and BENCH_SEARCH_REQUESTS change the sizes.`,
    `- **8. Quota accounting (Haven only).** On a real database file opened as the server opens it (WAL, synchronous=FULL), two projects are prefilled with 3,000 images each; then image manifests (config and 4 layers, two shared with earlier images) are inserted with their references as manifests.put does, in one transaction each, and chargeManifest is timed inside it, for an unlimited and a limited quota (the conditional UPDATE), interleaved with a baseline transaction without the charge. The issue asks for under 1 ms. BENCH_QUOTA_MANIFESTS sets the count; \`node --import tsx bench/quota-cost.ts\` prints the full table with releases.`,
    `- **Sizes.** Configurable by environment: BENCH_QUICK=1 (smoke run), BENCH_BLOB_MIB, BENCH_CHUNK_MIB, BENCH_PULL_CLIENTS, BENCH_IMAGES, BENCH_LAYERS, BENCH_PUSH_WORKERS, BENCH_LOAD_REQUESTS, BENCH_LOAD_CONNECTIONS, BENCH_AUTH_ROUNDS (rounds of 4b.), BENCH_AUDIT_ROUNDS (rounds of 4c.), BENCH_LOADGEN (wrk, node, auto), BENCH_TAGS, BENCH_TAG_PAGE, BENCH_LIST_REPEATS, BENCH_WALK_REPEATS, BENCH_ARTIFACTS and BENCH_ARTIFACT_LIST_REPEATS (6.), BENCH_SEARCH_REPOS and BENCH_SEARCH_REQUESTS (7.), BENCH_QUOTA_MANIFESTS (8.), BENCH_SHA_MIB, BENCH_LOOPBACK_MIB, BENCH_REPEATS (best-of count for the large push and pulls); BENCH_TARGETS and BENCH_ONLY select registries and workloads; BENCH_HAVEN_AUTH (bearer or basic, when Haven wants credentials); BENCH_HAVEN_NODE_ARGS passes flags to Haven's node; BENCH_DOC sets where this file is written (smoke, partial and profiled runs write none by default); BENCH_KEEP=1 keeps the data dirs and logs.`,
    `- **Noise.** Before each timed phase the bench runs \`sync\` and waits (up to 15 s) for the machine to be idle; the "other CPU" column then shows what else ran during the phase. Other users of a shared machine make single figures swing by ±30% or more between runs; compare runs with little "other" CPU.`,
    '',
    '## Profiling Haven',
    '',
    '```sh',
    'BENCH_TARGETS=haven BENCH_HAVEN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench',
    'node --import tsx bench/cpuprofile.ts /tmp/prof/CPU.*.cpuprofile --phases /tmp/prof/phases.json',
    '```',
    '',
    'The phase times are CLOCK_MONOTONIC microseconds, the clock V8 stamps profile samples with, so the summary cuts the profile into the phases above and lists, for each, main-thread busy/idle time, self time by package, and the hottest functions by self and inclusive time.',
    '',
  );
  return out.join('\n');
}

/** Heading of the hand-run A/B comparisons of single changes, which a regeneration keeps. */
export const changeComparisonsHeading = '## Change comparisons';

/**
 * The previous document's change comparisons (from their heading to the end), so that a full
 * bench run, which cannot redo them, does not erase them. Empty when there are none.
 */
export function keptChangeComparisons(path: string): string {
  let previous = '';
  try {
    previous = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const at = previous.indexOf(`\n${changeComparisonsHeading}`);
  return at < 0 ? '' : previous.slice(at);
}
