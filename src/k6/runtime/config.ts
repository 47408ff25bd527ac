/** What `loadlab k6 export` decides at export time and writes into the bundle for the runtime. */
export interface ExportConfig {
  scenario: string;
  profile: string;
  loadlab: string;
  /** The engine's default seed (`loadlab run --seed`), overridable with __ENV.LOADLAB_SEED. */
  seed: number;
  /** The profile's maximum VUs: feeders spread their starting records over them, as the engine does. */
  spread: number;
  /** Feeder name → the path k6's open() reads its CSV from (relative to the script). */
  csv: Record<string, string>;
}

/** Where the script sends load and how it logs in, from k6's environment; credentials are never written into the script. */
export const DEFAULT_TARGET = 'http://127.0.0.1:8080';
export const DEFAULT_USERNAME = 'admin';
export const DEFAULT_PASSWORD = 'Admin123';
