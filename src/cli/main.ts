import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { seedCommand } from './commands/seed.ts';
import { hazardsCommand } from './commands/hazards.ts';
import { calibrateCommand, simulateCommand } from './commands/model.ts';
import { runCommand } from './commands/run.ts';
import { targetCommand } from './commands/target.ts';
import { downCommand, faultCommand, statusCommand, upCommand } from './commands/topology.ts';

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

program
  .command('up')
  .description('start a topology on this machine: database, seed, replicas, load balancer (real processes)')
  .option('--replicas <n>', 'reference-target replicas (more than 1 puts HAProxy in front)', '1')
  .option('--db <topology>', 'single | aurora[:READERS] | galera[:NODES] | mysql://user:password@host:port/db', 'single')
  .option('--sessions <where>', "'sticky' (in each replica's memory) or 'redis' (shared)", 'sticky')
  .option('--search <mode>', "'local' per-replica index or 'db' (also shares the metadata cache)", 'local')
  .option('--patients <n>', 'patients to seed when the database is empty', '2000')
  .option('--galera-writers <which>', "'one' writer with backups, or 'all' nodes round-robin", 'one')
  .option('--port <port>', 'port of the target URL (the load balancer, or the only replica)', '8080')
  .action(upCommand);

program.command('status').description('every process of the topology, its health, and the target URL').option('--json', 'machine-readable').action(statusCommand);
program.command('down').description('stop exactly what `up` started').action(downCommand);
program
  .command('fault')
  .description('inject a fault: kill (SIGKILL), stop (SIGTERM) or start a process of the running topology')
  .argument('<action>', 'kill | stop | start')
  .argument('<component>', 'replica:N | db:N | lb | dbproxy | redis')
  .action(faultCommand);

program
  .command('run')
  .description('run a scenario against a target and write a run directory (reports/runs/<id>)')
  .argument('<scenario>', 'a file (scenarios/hybrid.ts) or a bundled name (search-heavy, encounter-heavy, hybrid, smoke)')
  .option('--target <url>', 'OpenMRS base URL (default: the local topology, else http://127.0.0.1:8080/openmrs)')
  .option('--profile <name>', 'smoke | nightly | capacity (default: the scenario\'s own)')
  .option('--executor <name>', 'constant-vus | ramping-vus | constant-arrival-rate | ramping-arrival-rate')
  .option('--vus <n>', 'virtual users (constant-vus)')
  .option('--rate <n>', 'iterations per second (constant-arrival-rate)')
  .option('--duration <d>', 'e.g. 30s, 5m')
  .option('--stages <list>', 'DURATION:TARGET,… e.g. 30s:10,2m:10,30s:0')
  .option('--pre-allocated-vus <n>', 'arrival-rate executors: VUs allocated up front')
  .option('--max-vus <n>', 'arrival-rate executors: most VUs; beyond, iterations are dropped')
  .option('--fault <spec>', 'scheduled fault on the local topology, e.g. "30s kill replica:2" (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
  .option('--out <dir>', 'run directory (default reports/runs/<id>)')
  .option('--user <name>', 'OpenMRS user (or LOADLAB_USER)')
  .option('--password <password>', 'OpenMRS password (or LOADLAB_PASSWORD); never written out')
  .option('--db-url <url>', 'database to audit acknowledged writes in (default: the local topology\'s)')
  .option('--seed <n>', 'random seed of the virtual users', '1')
  .option('--allow-remote', 'allow a target that is not on this machine')
  .action(runCommand);

program
  .command('calibrate')
  .description('estimate service demands per request class and station from a run (→ RUN_DIR/model.json)')
  .argument('<run-dir>', 'a run directory made against a local topology')
  .option('--out <file>', 'where to write the model (default RUN_DIR/model.json)')
  .option('--window <d>', 'regression window length', '5s')
  .action(calibrateCommand);

program
  .command('simulate')
  .description('project throughput, response time and the bottleneck for a topology from a model')
  .requiredOption('--model <file>', 'model.json from `loadlab calibrate`')
  .option('--users <list>', 'closed model: users, e.g. 10,50,100 or 10..500 or 10..500:50')
  .option('--rate <list>', 'open model: requests/s, same forms')
  .option('--topology <spec>', 'e.g. replicas=4,db=aurora:1,readsplit,vcpus=4,dbvcpus=8 (default: as measured)')
  .option('--slo <expr>', "e.g. 'p95<1s': report the users served within it")
  .option('--out <file>', 'write projections.json')
  .option('--smallest', 'find the smallest topology (replicas, sizes, DB layout) that carries one --users/--rate within --slo')
  .option('--json', 'print the projection as JSON')
  .action(simulateCommand);

program
  .command('hazards')
  .description('probe clustering hazards through the REST API: stickiness, session survival, read-your-writes, metadata caches')
  .option('--target <url>', 'OpenMRS base URL, e.g. http://127.0.0.1:8080/openmrs (default: the local topology)')
  .option('--user <name>', 'user to log in as', 'admin')
  .option('--password <password>', 'password (or LOADLAB_PASSWORD)')
  .option('--allow-remote', 'allow a target that is not on this machine')
  .action(hazardsCommand);

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    // Commands report a failed check (hazard found, unhealthy topology) through process.exitCode.
    return Number(process.exitCode ?? 0);
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
