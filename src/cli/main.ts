/**
 * The one file that registers commands. Each command is a typed function (testable without argv);
 * only bin/metacrawl.js sets the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, DEFAULTS, nonNegativeInt, oneOf, positiveInt, VERSION } from '../config.js';
import { configCommand, effectiveConfig } from './config-cmd.js';
import { type CliIO, processIO } from './io.js';
import {
  addArchiveOptions,
  addCrawlRunOptions,
  addCrawlSettingsOptions,
  addExtractOptions,
  addFetchOptions,
  addMetricsOptions,
  addQueueWindowOption,
  addRedisOptions,
  addSinceOptions,
  addSitemapOptions,
  archiveConfig,
  CONCURRENCY_HELP,
  commonConfig,
  crawlNameOption,
  crawlRunConfig,
  crawlSettings,
  dbPath,
  extractRules,
  fetchConfig,
  fileConfig,
  markDefaults,
  metricsConfig,
  pageFetchConfig,
  producerAllowPrivate,
  queueWindow,
  type Raw,
  sitemapConfig,
} from './options.js';

// Command modules are imported when their command runs: `submit` should not load the worker, the store or the
// explorer (their dependencies alone cost tens of MB of RSS).

/** --db of status, pause, resume and cancel: without --redis, they talk to the crawl running on it. */
const DB_LOOKUP_HELP =
  'without --redis: the database of a crawl running on this machine, whose private Redis to use ($METACRAWL_DB)';

/**
 * Hidden test hooks: BullMQ lock and stalled-check timing (crash-recovery tests shorten them), and how
 * long a failed robots.txt fetch blocks its origin (politeness tests shorten it).
 */
function stallTiming() {
  const lock = process.env.METACRAWL_LOCK_MS;
  const stalled = process.env.METACRAWL_STALLED_MS;
  const robotsRetry = process.env.METACRAWL_ROBOTS_RETRY_MS;
  return {
    lockDurationMs: lock ? positiveInt('METACRAWL_LOCK_MS', lock) : undefined,
    stalledIntervalMs: stalled ? positiveInt('METACRAWL_STALLED_MS', stalled) : undefined,
    robotsErrorTtlMs: robotsRetry ? positiveInt('METACRAWL_ROBOTS_RETRY_MS', robotsRetry) : undefined,
  };
}

/** Hidden test hook: the interval of `crawl`'s progress lines off a terminal (observe tests shorten it). */
function progressInterval(): number | undefined {
  const v = process.env.METACRAWL_PROGRESS_INTERVAL_MS;
  return v ? positiveInt('METACRAWL_PROGRESS_INTERVAL_MS', v) : undefined;
}

export function buildProgram(io: CliIO, setCode: (code: number) => void): Command {
  const program = new Command('metacrawl')
    .description('Queue-driven batch crawler for page metadata: seeds → Redis → workers → SQLite')
    .version(VERSION)
    // A usage error gets one line pointing to --help: the full help would scroll the error away.
    .showHelpAfterError("(run 'metacrawl --help' for the commands)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const run = (fn: (raw: Raw, cmd: Command, args: string[]) => Promise<number>) =>
    async function (this: Command, ...args: unknown[]) {
      const raw = markDefaults({ ...this.opts() }, this);
      const positional = args
        .slice(0, -2)
        .flat()
        .filter((a) => a !== undefined)
        .map(String);
      setCode(await fn(raw, this, positional));
    };

  addSitemapOptions(
    addSinceOptions(
      addCrawlSettingsOptions(
        addFetchOptions(
          addRedisOptions(
            addCrawlRunOptions(
              addArchiveOptions(addQueueWindowOption(addExtractOptions(program.command('crawl'))))
                .description(
                  'all in one: submit the seeds, run workers and the store writer until every seed has its row',
                )
                .argument(
                  '[seeds...]',
                  "seed files (txt, csv, jsonl, optionally .gz; *.xml(.gz) = sitemap) or '-'",
                )
                .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
                .option(
                  '--crawl <name>',
                  'crawl name (default: generated and printed); the same name resumes',
                ),
            ),
          ),
          { concurrency: CONCURRENCY_HELP.crawl },
        ),
      ),
    ),
  ).action(
    run(async (raw, _cmd, seeds) => {
      const file = fileConfig(raw);
      const common = commonConfig(raw, file);
      return (await import('./crawl.js')).crawlCommand(
        {
          seeds,
          ...sitemapConfig(raw, file, seeds),
          db: dbPath(raw, file),
          redisUrl: common.redisUrl,
          prefix: common.prefix,
          crawl: crawlNameOption(raw, file),
          fetch: fetchConfig(raw, file),
          settings: crawlSettings(raw, file),
          logLevel: common.logLevel,
          metrics: metricsConfig(raw, file),
          ...crawlRunConfig(raw),
          redisTimeoutMs: common.redisTimeoutMs,
          queueWindow: queueWindow(raw, file),
          archive: archiveConfig(raw),
          ...stallTiming(),
          progressIntervalMs: progressInterval(),
        },
        io,
      );
    }),
  );

  addSitemapOptions(
    addSinceOptions(
      addCrawlSettingsOptions(
        addRedisOptions(
          addExtractOptions(program.command('submit'))
            .description(
              'producer only: queue the seeds of a crawl (its settings travel with it to every worker)',
            )
            .argument('[seeds...]', "seed files (*.xml(.gz) = sitemap) or '-' for stdin")
            .requiredOption('--crawl <name>', 'crawl name')
            .option('--db <path>', 'SQLite database holding the --since crawl ($METACRAWL_DB)', DEFAULTS.db)
            .addOption(
              new Option(
                '--allow-private [list]',
                'let sitemap and robots.txt fetches reach private/loopback addresses (bare: all; or a comma list)',
              ),
            ),
        ),
      ),
    ),
  ).action(
    run(async (raw, _cmd, seeds) => {
      const file = fileConfig(raw);
      const common = commonConfig(raw, file);
      const crawl = crawlNameOption(raw, file);
      if (!crawl) throw new ConfigError('--crawl is required');
      return (await import('./submit.js')).submitCommand(
        {
          seeds,
          ...sitemapConfig(raw, file, seeds),
          allowPrivate: producerAllowPrivate(raw, file),
          redisUrl: common.redisUrl,
          prefix: common.prefix,
          crawl,
          settings: crawlSettings(raw, file),
          db: dbPath(raw, file),
          redisTimeoutMs: common.redisTimeoutMs,
        },
        io,
      );
    }),
  );

  addCrawlSettingsOptions(
    addFetchOptions(
      addRedisOptions(
        addArchiveOptions(addQueueWindowOption(program.command('worker')))
          .description('fetch and extract queued URLs until SIGINT/SIGTERM (run any number, anywhere)')
          .option(
            '--grace <ms>',
            'on SIGINT/SIGTERM, wait this long for in-flight fetches before handing them back',
            '10000',
          ),
      ),
      { concurrency: CONCURRENCY_HELP.worker },
    ),
  ).action(
    run(async (raw) => {
      const file = fileConfig(raw);
      const common = commonConfig(raw, file);
      return (await import('./worker.js')).workerCommand(
        {
          redisUrl: common.redisUrl,
          prefix: common.prefix,
          fetch: fetchConfig(raw, file),
          defaults: crawlSettings(raw, file),
          logLevel: common.logLevel,
          metrics: metricsConfig(raw, file),
          graceMs: positiveInt('--grace', raw.grace),
          redisTimeoutMs: common.redisTimeoutMs,
          queueWindow: queueWindow(raw, file),
          archive: archiveConfig(raw),
          ...stallTiming(),
        },
        io,
      );
    }),
  );

  addRedisOptions(
    program
      .command('store')
      .description('the single store writer: results stream → SQLite, until SIGINT/SIGTERM')
      .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
      .option('--batch-size <n>', 'records per transaction', '500'),
  ).action(
    run(async (raw) => {
      const file = fileConfig(raw);
      const common = commonConfig(raw, file);
      return (await import('./store.js')).storeCommand(
        {
          db: dbPath(raw, file),
          redisUrl: common.redisUrl,
          prefix: common.prefix,
          logLevel: common.logLevel,
          batchSize: positiveInt('--batch-size', raw.batchSize),
          metrics: metricsConfig(raw, file),
          redisTimeoutMs: common.redisTimeoutMs,
        },
        io,
      );
    }),
  );

  addRedisOptions(
    program
      .command('status')
      .description(
        'per crawl: submitted, queued, active, delayed, stored, failed by code; per fleet: workers, writer lag',
      )
      .option('--crawl <name>', 'only this crawl')
      .option('--db <path>', DB_LOOKUP_HELP, DEFAULTS.db)
      .option('--json', 'machine-readable output')
      .option('--watch', 'refresh every 2 s until Ctrl-C'),
  ).action(
    run(async (raw) => {
      const file = fileConfig(raw);
      const common = commonConfig(raw, file);
      return (await import('./status.js')).statusCommand(
        {
          redisUrl: common.redisUrl,
          db: dbPath(raw, file),
          redisTimeoutMs: common.redisTimeoutMs,
          prefix: common.prefix,
          crawl: crawlNameOption(raw, file),
          json: Boolean(raw.json),
          watch: Boolean(raw.watch),
        },
        io,
      );
    }),
  );

  program
    .command('query')
    .description('run read-only SQL against the results database')
    .argument('<sql>', 'the SQL statement')
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--format <fmt>', 'table|csv|json', 'table')
    .action(
      run(async (raw, cmd, args) => {
        const file = {};
        markDefaults(raw, cmd);
        return (await import('./query.js')).queryCommand(
          {
            db: dbPath(raw, file),
            sql: args[0],
            format: oneOf('--format', raw.format, ['table', 'csv', 'json'] as const),
          },
          io,
        );
      }),
    );

  program
    .command('diff')
    .description('pages added, removed and changed between two crawls, with old → new field values')
    .argument('<crawlA>', 'the earlier crawl')
    .argument('<crawlB>', 'the later crawl')
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--format <fmt>', 'table|csv|json', 'table')
    .option('--field <list>', 'compare only these fields (comma list, e.g. title,og_image,links)')
    .option('--only <list>', 'only these changes: added,removed,changed (comma list)')
    .action(
      run(async (raw, cmd, args) => {
        markDefaults(raw, cmd);
        const list = (v: unknown) =>
          v === undefined
            ? null
            : String(v)
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        const only = list(raw.only);
        for (const o of only ?? []) oneOf('--only', o, ['added', 'removed', 'changed'] as const);
        return (await import('./diff.js')).diffCommand(
          {
            db: dbPath(raw, {}),
            from: args[0],
            to: args[1],
            format: oneOf('--format', raw.format, ['table', 'csv', 'json'] as const),
            fields: list(raw.field),
            only: only as ('added' | 'removed' | 'changed')[] | null,
          },
          io,
        );
      }),
    );

  program
    .command('audit')
    .description(
      'site audit of a crawl: broken links, redirects, indexability, titles, duplicates, … (README "Audit")',
    )
    .requiredOption('--crawl <name>', 'crawl name')
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--check <ids>', 'only these checks, comma-separated (default: all)')
    .option('--format <fmt>', 'table|csv|json', 'table')
    .option('--limit <n>', 'at most n findings per check (default: all)')
    .option(
      '--set <key=value>',
      'store a threshold in the database first, e.g. thin_content_min_words=300 (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .action(
      run(async (raw, cmd) => {
        const file = {};
        markDefaults(raw, cmd);
        const audit = await import('./audit.js');
        const checks =
          raw.check === undefined
            ? null
            : String(raw.check)
                .split(',')
                .map((c) => c.trim())
                .filter(Boolean);
        return audit.auditCommand(
          {
            db: dbPath(raw, file),
            crawl: String(raw.crawl),
            checks,
            format: oneOf('--format', raw.format, ['table', 'csv', 'json'] as const),
            limit: raw.limit === undefined ? null : nonNegativeInt('--limit', String(raw.limit)),
            set: audit.parseSettings((raw.set as string[] | undefined) ?? []),
          },
          io,
        );
      }),
    );

  addFetchOptions(
    addExtractOptions(program.command('inspect'))
      .description('a report of one page: fetch it (or read --file) and print what it says about itself')
      .argument('[url]', 'the URL to fetch')
      .option('--file <path>', 'a saved HTML file instead of fetching')
      .option('--base <url>', 'the URL a --file page was saved from (links resolve against it)')
      .option('--json', 'one JSON object instead of the text report'),
    { concurrency: false },
  ).action(
    run(async (raw, _cmd, args) => {
      const file = {};
      return (await import('./inspect.js')).inspectCommand(
        {
          url: args[0] ?? null,
          file: (raw.file as string | undefined) ?? null,
          base: (raw.base as string | undefined) ?? null,
          json: Boolean(raw.json),
          fetch: pageFetchConfig(raw, file),
          extract: extractRules(raw, file),
          microdata: raw.microdata === true,
        },
        io,
      );
    }),
  );

  // Prometheus /metrics for the long-running roles.
  for (const c of program.commands) if (['crawl', 'worker', 'store'].includes(c.name())) addMetricsOptions(c);

  for (const [action, what] of [
    ['pause', 'stop a crawl fleet-wide: workers start no new fetch for it within a second'],
    ['resume', 'resume a paused crawl: its parked jobs go back to the queue'],
    ['cancel', 'end a crawl for good: every URL not yet fetched is stored with error CANCELLED'],
  ] as const) {
    addRedisOptions(
      program
        .command(action)
        .description(what)
        .requiredOption('--crawl <name>', 'crawl name')
        .option('--db <path>', DB_LOOKUP_HELP, DEFAULTS.db)
        .option('--json', 'machine-readable output'),
    ).action(
      run(async (raw) => {
        const file = fileConfig(raw);
        const common = commonConfig(raw, file);
        const crawl = crawlNameOption(raw, file);
        if (!crawl) throw new ConfigError('--crawl is required');
        return (await import('./control.js')).controlCommand(
          {
            action,
            redisUrl: common.redisUrl,
            db: dbPath(raw, file),
            redisTimeoutMs: common.redisTimeoutMs,
            prefix: common.prefix,
            crawl,
            json: Boolean(raw.json),
          },
          io,
        );
      }),
    );
  }

  // Takes every flag `crawl` takes, so any crawl command line can be checked by swapping the command.
  addMetricsOptions(
    addSitemapOptions(
      addSinceOptions(
        addCrawlSettingsOptions(
          addFetchOptions(
            addRedisOptions(
              addCrawlRunOptions(
                addArchiveOptions(addQueueWindowOption(addExtractOptions(program.command('config'))))
                  .description(
                    'print the effective configuration as JSON (flags > environment > --config file > defaults; secrets redacted); takes the flags of crawl',
                  )
                  .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
                  .option('--crawl <name>', 'crawl name'),
              ),
            ),
            { concurrency: CONCURRENCY_HELP.config },
          ),
        ),
      ),
    ),
  ).action(run(async (raw) => configCommand({ effective: effectiveConfig(raw) }, io)));

  program
    .command('serve')
    .description(
      'the results explorer: a local web page over the database (and the queue dashboard with --redis)',
    )
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--host <host>', 'address to bind (keep 127.0.0.1 unless you mean to share it)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option(
      '--redis <url>',
      'Redis URL for the queue dashboard at /queues; default $REDIS_URL, else the Redis of a crawl running on --db',
    )
    .option('--prefix <prefix>', 'Redis key prefix of the queue', DEFAULTS.prefix)
    .action(
      run(async (raw, cmd) => {
        const file = {};
        markDefaults(raw, cmd);
        const common = commonConfig(raw, file);
        return (await import('./serve.js')).serveCommand(
          {
            db: dbPath(raw, file),
            host: String(raw.host),
            port: nonNegativeInt('--port', raw.port),
            redisUrl: common.redisUrl,
            prefix: common.prefix,
          },
          io,
        );
      }),
    );

  program
    .command('export')
    .description(
      "write a crawl's rows as JSONL, CSV or Parquet: one file per table, or one nested document per page",
    )
    .requiredOption('--crawl <name>', 'crawl name')
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--format <fmt>', 'jsonl|csv|parquet', 'jsonl')
    .option(
      '--table <table>',
      'pages|links|meta|jsonld|all (all: one file per table in the --out directory)',
      'pages',
    )
    .option('--out <path>', "output file ('-' = stdout; a directory for --table all); .gz compresses", '-')
    .option('--gzip', 'gzip-compress JSONL/CSV (implied by an --out ending in .gz)')
    .option('--nested', 'JSONL only: one document per page with its meta tags, links and JSON-LD')
    .action(
      run(async (raw, cmd) => {
        markDefaults(raw, cmd);
        const out = String(raw.out);
        return (await import('./export.js')).exportCommand(
          {
            db: dbPath(raw, {}),
            crawl: String(raw.crawl),
            format: oneOf('--format', raw.format, ['jsonl', 'csv', 'parquet'] as const),
            table: oneOf('--table', raw.table, ['pages', 'links', 'meta', 'jsonld', 'all'] as const),
            out: out === '-' ? null : out,
            gzip: Boolean(raw.gzip),
            nested: Boolean(raw.nested),
          },
          io,
        );
      }),
    );

  addExtractOptions(program.command('reextract'))
    .description(
      "run the current extractor and the crawl's rules over its archived responses (no network): into a new crawl, or in place",
    )
    .requiredOption('--crawl <name>', 'the crawl whose pages to extract again')
    .option('--from-archive <dir>', 'the --archive directory the crawl wrote (default: the one recorded)')
    .option('--as <name>', 'write a new crawl of this name (resumes where it stopped); default: in place')
    .option('--db <path>', 'SQLite database ($METACRAWL_DB)', DEFAULTS.db)
    .option('--max-links <n>', 'links stored per page', String(DEFAULTS.fetch.maxLinks))
    .option(
      '--workers <n>',
      "threads in all, the writer's included: n - 1 read and extract the archived pages; 'auto' = one extracting thread per usable core (the writer beside them) once the crawl has 1,000+ pages",
      'auto',
    )
    .action(
      run(async (raw, cmd) => {
        markDefaults(raw, cmd);
        return (await import('./reextract.js')).reextractCommand(
          {
            db: dbPath(raw, {}),
            crawl: String(raw.crawl),
            as: raw.as === undefined ? null : String(raw.as),
            archiveDir: raw.fromArchive === undefined ? null : String(raw.fromArchive),
            maxLinks: positiveInt('--max-links', raw.maxLinks),
            extract: extractRules(raw, {}),
            microdata: raw.microdata === true,
            workers: raw.workers === 'auto' ? 'auto' : positiveInt('--workers', raw.workers),
          },
          io,
        );
      }),
    );

  for (const c of program.commands)
    c.showHelpAfterError(`(run 'metacrawl ${c.name()} --help' for its options)`);
  return program;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 the crawl could not run, 2 bad usage). */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`metacrawl: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`metacrawl: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.METACRAWL_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
