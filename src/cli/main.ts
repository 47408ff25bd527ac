import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { seedCommand } from './commands/seed.ts';
import { targetCommand } from './commands/target.ts';

/** --db, also read from LOADLAB_DB so that passwords need not appear in process listings. */
const dbOption = (description: string) => new Option('--db <url>', description).env('LOADLAB_DB').makeOptionMandatory();

const program = new Command()
  .name('loadlab')
  .description('Load testing and cost simulation for OpenMRS deployments')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('seed')
  .description('load deterministic synthetic patients with visits, encounters and obs into an OpenMRS database')
  .addOption(dbOption('mysql://user:password@host:port/database'))
  .requiredOption('--patients <n>', 'number of patients')
  .option('--visits <n>', 'visits per patient', '2')
  .option('--obs-per-visit <n>', 'observations per visit', '36')
  .option('--seed <s>', 'random seed (same seed, same data)', '1')
  .action(seedCommand);

program
  .command('target')
  .description('run one reference OpenMRS target replica (REST API over MariaDB) until Ctrl-C')
  .addOption(dbOption("mysql://user:password@host:port/database, or 'private' for a throw-away local MariaDB"))
  .option('--port <port>', 'HTTP port', '8080')
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--replica <name>', 'name reported in X-Served-By')
  .option('--sessions <store>', "'memory' (per process, like Tomcat) or redis://host:port", 'memory')
  .option('--search <mode>', "'local' per-process index (like OpenMRS's Lucene) or 'db' (SQL)", 'local')
  .option('--cache <mode>', "metadata cache: 'local' per process, or 'shared' through the database (default: shared with --search db)")
  .option('--slowdown <factors>', 'make request classes slower, e.g. search=1.2')
  .option('--pool <n>', 'database connection pool size', '20')
  .option('--patients <n>', "patients to seed into a '--db private' database", '1000')
  .option('--allow-remote', 'allow listening on a non-loopback address')
  .action(targetCommand);

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed the problem (or help/version, which exit 0).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      console.error(`loadlab: ${e.message}`);
      if (e.hint) console.error(`  ${e.hint}`);
      return 2;
    }
    const err = e as Error & { code?: string };
    if (err.code === 'ECONNREFUSED' || err.code === 'ER_ACCESS_DENIED_ERROR' || err.code === 'ENOTFOUND' || err.code === 'ER_BAD_DB_ERROR') {
      console.error(`loadlab: cannot use the database: ${err.message}`);
      console.error('  check --db (host, port, user, password, database) and that the server is running');
      return 2;
    }
    console.error(`loadlab: ${err.message}`);
    if (process.env.LOADLAB_DEBUG) console.error(err.stack);
    return 1;
  }
}

process.exitCode = await main(process.argv);
