import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { seedCommand } from './commands/seed.ts';
import { hazardsCommand } from './commands/hazards.ts';
import { calibrateCommand, simulateCommand } from './commands/model.ts';
import { runCommand } from './commands/run.ts';
import { targetCommand } from './commands/target.ts';
import { demoCommand } from './commands/demo.ts';
import { uslCommand } from './commands/usl.ts';
import { pricingRefreshCommand, pricingShowCommand } from './commands/pricing.ts';
import { validateCommand } from './commands/validate.ts';
import { costCommand } from './commands/cost.ts';
import { reportCommand } from './commands/report.ts';
import { importK6Command } from './commands/import-k6.ts';
import { gateCommand } from './commands/gate.ts';
import { k6ExportCommand, k6OperatorCommand } from './commands/k6.ts';
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
  .command('demo')
  .description('the whole chain on the embedded default: private MariaDB, reference target, a stepped hybrid run, calibration, projections, cost, report')
  .option('--patients <n>', 'synthetic patients to seed', '2000')
  .option('--keep', 'leave the topology running afterwards (stop it with `loadlab down`)')
  .action(demoCommand);

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
  .option('--skip <d>', 'leave out the start of the run (a target still warming up)')
  .action(calibrateCommand);

program
  .command('report')
  .description('one self-contained HTML report of a run: latency, database, utilisation, projections, cost, faults')
  .argument('<run-dir>', 'a run directory (its model.json, projections*.json and cost*.json are picked up when present)')
  .option('--compare <run-dir>', 'baseline run: per-step p95 and rate side by side')
  .option('--model <file>', 'model.json (default RUN_DIR/model.json when present)')
  .option('--projections <files...>', 'projections from `loadlab simulate --out` (default RUN_DIR/projections*.json)')
  .option('--cost <files...>', 'cost estimates from `loadlab cost` (default RUN_DIR/cost*.json)')
  .option('--out <file>', 'where to write the report (default RUN_DIR/report.html)')
  .action(reportCommand);

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
  .command('validate')
  .description('predict held-out runs with a model and compare: throughput, mean response time, utilisation, bottleneck')
  .argument('<run-dirs...>', 'runs the model was not calibrated on, against local topologies (other loads, other replica counts)')
  .requiredOption('--model <file>', 'model.json from `loadlab calibrate`')
  .option('--skip <d>', 'start of each run to leave out (ramp-up, warm-up)', '20s')
  .option('--json', 'print the comparison as JSON')
  .action(validateCommand);

program
  .command('cost')
  .description('the monthly AWS (or on-premise) bill of a topology at a projected peak load: components, total, cost per 1,000 encounters, layouts')
  .requiredOption('--model <file>', 'model.json from `loadlab calibrate`')
  .option('--users <n>', 'peak load: users (closed model)')
  .option('--rate <r>', 'peak load: requests/s (open model)')
  .option('--topology <spec>', 'as `simulate` takes it, e.g. replicas=4,vcpus=2,db=aurora:1,readsplit,dbvcpus=4 (default: as measured)')
  .option('--region <r>', 'price book: fixtures/pricing/<region>.json', 'us-east-1')
  .option('--prices <file>', 'a price book JSON instead of the region snapshot')
  .option('--compute <c>', 'fargate | fargate-arm | ec2[:FAMILY|TYPE] | onprem:USD_PER_NODE_MONTH', 'fargate')
  .option('--db <d>', 'aurora[:CLASS] | aurora-serverless | galera[:TYPE] (default: aurora sized by dbvcpus; galera:m6i for galera)')
  .option('--io <mode>', 'Aurora storage: standard | io-optimized | auto (the cheaper)', 'auto')
  .option('--profile <p>', 'daily load profile: clinic-day | flat | a JSON file {"weekday": [24 factors], "weekend": F}', 'clinic-day')
  .option('--layout <l>', 'regional | per-clinic:N | hybrid:N:F | compare[:N[:F]]', 'regional')
  .option('--slo <expr>', "e.g. 'p95<1s': does the topology meet it at the peak")
  .option('--cheapest', 'rank the topologies `simulate --smallest` searches that meet --slo by monthly cost')
  .option('--memory-per-vcpu <gb>', 'Fargate task memory per vCPU', '2')
  .option('--data-gb <gb>', 'database size at the start of the month', '10')
  .option('--efs-gb <gb>', 'EFS for attachments and complex obs', '10')
  .option('--nat-gb <gb>', 'outbound traffic through NAT gateways per month', '10')
  .option('--nat-azs <n>', 'NAT gateways (one per availability zone)', '2')
  .option('--session-minutes <m>', 'a user session (one new ALB connection each)', '30')
  .option('--alb-rules <n>', 'ALB rule evaluations per request beyond the 10 free', '0')
  .option('--encounter-classes <list>', 'request classes that record an encounter (default: names matching encounter|vitals|visitnote|note|registerpatient)')
  .option('--out <file>', 'write cost.json')
  .option('--json', 'print the estimate as JSON')
  .action(costCommand);

program
  .command('hazards')
  .description('probe clustering hazards through the REST API: stickiness, session survival, read-your-writes, metadata caches')
  .option('--target <url>', 'OpenMRS base URL, e.g. http://127.0.0.1:8080/openmrs (default: the local topology)')
  .option('--user <name>', 'user to log in as', 'admin')
  .option('--password <password>', 'password (or LOADLAB_PASSWORD)')
  .option('--allow-remote', 'allow a target that is not on this machine')
  .action(hazardsCommand);

program
  .command('usl')
  .description('fit the Universal Scalability Law to measured runs (a cross-check of the queueing model)')
  .argument('<run-dirs...>', 'run directories: one closed-model ramp with held levels, several constant-vus runs, or runs at different replica counts')
  .option('--by <axis>', "'users' (steady levels of active VUs) or 'replicas' (one point per run; default when the runs differ in replicas)")
  .option('--json', 'print {points, fit, warnings} as JSON')
  .action(uslCommand);

program
  .command('gate')
  .description('did this run regress? compare it with a baseline run or the nightly history; exit 0 pass, 1 regression')
  .requiredOption('--current <dir>', 'the run directory to judge')
  .option('--baseline <dir>', 'a baseline run directory (A/B)')
  .option('--history <dir>', 'a folder of recorded nightly runs (see --record)')
  .option('--thresholds <file>', 'YAML/JSON: k6-syntax thresholds, compare settings, infrastructure limits')
  .option('--junit <file>', 'write JUnit XML, one testcase per check')
  .option('--markdown <file>', 'write a Markdown verdict (e.g. $GITHUB_STEP_SUMMARY)')
  .option('--record', 'append the current run to --history after judging it')
  .option('--label <text>', 'commit or build label kept with the record (default $GITHUB_SHA)')
  .option('--window <s>', 'seconds per window sample (default 10)')
  .option('--skip <s>', 'seconds of warm-up left out (default 30)')
  .action(gateCommand);

const importCmd = program.command('import').description('bring results from other load generators into a loadlab run directory');
importCmd
  .command('k6')
  .description('k6 JSON outputs (k6 run --out json=FILE, one per pod; .gz too) and summary exports → one run directory, pods merged')
  .argument('<files...>', "each pod's NDJSON output, optionally with their --summary-export / handleSummary JSON files")
  .requiredOption('--out <dir>', 'the run directory to write (new, empty, or an earlier run directory)')
  .action(importK6Command);

const k6 = program.command('k6').description('run loadlab scenarios on k6: one bundled script, or k6-operator manifests for a cluster');
k6.command('export')
  .description('bundle a scenario into one k6 script (ES2015, runs on stock k6 0.45 and later)')
  .argument('<scenario>', 'a file (scenarios/hybrid.ts) or a bundled name (search-heavy, encounter-heavy, hybrid, smoke)')
  .option('--out <file>', 'where to write the script (default reports/k6/<scenario>.k6.js)')
  .option('--profile <name>', "smoke | nightly | capacity (default: the scenario's own)")
  .option('--seed <n>', 'random seed of the virtual users (default 1; LOADLAB_SEED overrides it at run time)')
  .action(k6ExportCommand);
k6.command('operator')
  .description('k6-operator manifests: a ConfigMap with the exported script and a TestRun over N runner pods')
  .argument('<scenario>', 'a file or a bundled scenario name')
  .requiredOption('--parallelism <n>', 'runner pods sharing the load')
  .option('--namespace <ns>', 'Kubernetes namespace', 'default')
  .option('--name <name>', 'name of the ConfigMap and TestRun (default: the scenario name)')
  .option('--profile <name>', "smoke | nightly | capacity (default: the scenario's own)")
  .option('--target <url>', 'OpenMRS URL as the runner pods reach it (default http://openmrs:8080/openmrs)')
  .option('--seed <n>', 'random seed of the virtual users (default 1)')
  .option('--out <dir>', 'folder for <name>-configmap.yaml and <name>-testrun.yaml (default reports/k6)')
  .action(k6OperatorCommand);

const pricing = program.command('pricing').description('AWS unit prices: stored snapshots (offline) and their live refresh');
pricing
  .command('show')
  .description('print the unit prices of a stored snapshot')
  .option('--region <r>', 'AWS region of the snapshot', 'us-east-1')
  .option('--json', 'print the price book as JSON')
  .action(pricingShowCommand);
pricing
  .command('refresh')
  .description('fetch current prices from the AWS Price List API (needs AWS credentials) into a snapshot')
  .requiredOption('--region <r>', 'AWS region to price, e.g. af-south-1')
  .option('--out <file>', 'where to write (default fixtures/pricing/<region>.json)')
  .option('--endpoint <r>', 'Price List API endpoint: us-east-1, eu-central-1 or ap-south-1', 'us-east-1')
  .action(pricingRefreshCommand);

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
