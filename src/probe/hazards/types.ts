import type { Session } from './client.ts';

export type HazardId = 'stickiness' | 'session-survival' | 'read-your-writes' | 'metadata-coherence';

export interface HazardResult {
  id: HazardId;
  title: string;
  verdict: 'pass' | 'hazard' | 'n/a';
  evidence: string;
}

export interface HazardOptions {
  /** Base URL of OpenMRS through the load balancer, e.g. http://127.0.0.1:8080/openmrs */
  target: string;
  username: string;
  password: string;
  /** Kills the replica that a sticky-cookie value names (local topologies only); absent → the survival probe is n/a */
  killReplica?: (replica: string) => Promise<void>;
  /** Brings it back afterwards */
  restoreReplica?: (replica: string) => Promise<void>;
  onStep?: (line: string) => void;
}

/** What every probe gets: the options, a step logger and the sessions opened on distinct replicas. */
export interface ProbeEnv {
  opts: HazardOptions;
  step: (line: string) => void;
  a: Session;
  b: Session;
}

export const TITLES: Record<HazardId, string> = {
  stickiness: 'Sticky sessions',
  'session-survival': 'Session survives its replica',
  'read-your-writes': 'Read-your-writes across replicas',
  'metadata-coherence': 'Metadata cache coherence',
};

export const result = (id: HazardId, verdict: HazardResult['verdict'], evidence: string): HazardResult => ({
  id,
  title: TITLES[id],
  verdict,
  evidence,
});
